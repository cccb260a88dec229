import { describe, expect, it } from 'vitest';
import { accepts, buildRequest, maskEvent } from '../../src/notify/channel.ts';
import { Notifications, type NotifyChannel } from '../../src/config/notify-schema.ts';
import { SecretRegistry } from '../../src/infra/secrets.ts';
import { EVENTS } from './fixtures.ts';

const channel = (raw: Record<string, unknown>): NotifyChannel => Notifications.parse({ channels: [raw] }).channels[0] as NotifyChannel;

describe('accepts', () => {
  const failuresOnly = channel({ name: 'c', type: 'slack', webhookUrl: 'https://h.example/x', events: ['rollback-failed', 'deploy-guarded'], minSeverity: 'warning' });

  it.each([
    ['a listed kind at or above minSeverity', EVENTS['rollback-failed'], true],
    ['a listed kind below minSeverity', EVENTS['deploy-guarded'], false],
    ['an unlisted kind', EVENTS['rollback-held'], false],
  ])('when %s then %s', (_label, event, expected) => {
    expect(accepts(failuresOnly, event)).toBe(expected);
  });

  it('when PagerDuty uses its defaults then a deploy is not paged but a failed rollback is', () => {
    const pd = channel({ name: 'pd', type: 'pagerduty', routingKey: 'R0UTINGKEY000000' });
    expect(accepts(pd, EVENTS['deploy-guarded'])).toBe(false);
    expect(accepts(pd, EVENTS['rollback-failed'])).toBe(true);
  });
});

describe('buildRequest', () => {
  it('posts JSON to the channel URL with configured headers winning', () => {
    const hook = channel({ name: 'h', type: 'webhook', url: 'https://r.example/in', headers: { authorization: 'Bearer t0ken123' } });
    const req = buildRequest(hook, EVENTS['rollback-failed']);
    expect(req.url).toBe('https://r.example/in');
    expect(req.headers).toMatchObject({ 'content-type': 'application/json', authorization: 'Bearer t0ken123' });
    expect(JSON.parse(req.body)).toMatchObject({ source: 'rollback-watchdog', event: { kind: 'rollback-failed' } });
  });

  it('puts the routing key in the PagerDuty body and sends it to the events endpoint', () => {
    const req = buildRequest(channel({ name: 'pd', type: 'pagerduty', routingKey: 'R0UTINGKEY000000' }), EVENTS['rollback-held']);
    expect(req.url).toBe('https://events.pagerduty.com/v2/enqueue');
    expect(JSON.parse(req.body)).toMatchObject({ routing_key: 'R0UTINGKEY000000', event_action: 'trigger' });
  });
});

describe('maskEvent', () => {
  it('masks secrets in every string, nested ones included, and leaves the rest alone', () => {
    const secrets = new SecretRegistry();
    secrets.add('fo1_leaked_token');
    const event = { ...EVENTS['release-failing'], reason: 'flyctl: bad fo1_leaked_token', measurements: ['x fo1_leaked_token'] };
    const masked = maskEvent(event, secrets);
    expect(JSON.stringify(masked)).not.toContain('fo1_leaked_token');
    expect(masked.release).toEqual(event.release);
    expect(event.reason).toContain('fo1_leaked_token'); // the caller's object is not mutated
  });
});
