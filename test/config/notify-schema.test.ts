import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EVENT_KINDS } from '../../src/domain/notification.ts';
import { collectNotifySecrets, Notifications, PAGERDUTY_DEFAULT_EVENTS } from '../../src/config/notify-schema.ts';
import { SecretRegistry } from '../../src/infra/secrets.ts';

const slack = { name: 'ops-slack', type: 'slack', webhookUrl: 'https://hooks.slack.com/services/T0/B0/abcdefsecret' } as const;
const pagerduty = { name: 'pd', type: 'pagerduty', routingKey: 'R0UTINGKEY000000' } as const;
const webhook = {
  name: 'hook',
  type: 'webhook',
  url: 'https://example.com/api/v1?token=querysecret123',
  headers: { authorization: 'Bearer headersecret' },
} as const;

describe('Notifications schema', () => {
  it('when empty then no channels and the documented defaults, durations in ms', () => {
    expect(Notifications.parse({})).toEqual({
      channels: [],
      retry: { attempts: 5, initialDelay: 1000, maxDelay: 60_000 },
      queueLimit: 1000,
    });
  });

  it('fills channel defaults: all events for Slack and webhooks, the paging ones for PagerDuty', () => {
    const parsed = Notifications.parse({ channels: [slack, pagerduty, webhook] });
    expect(parsed.channels[0]).toMatchObject({ events: [...EVENT_KINDS], minSeverity: 'info' });
    expect(parsed.channels[1]).toMatchObject({
      events: [...PAGERDUTY_DEFAULT_EVENTS],
      url: 'https://events.pagerduty.com/v2/enqueue',
    });
    expect(PAGERDUTY_DEFAULT_EVENTS).toEqual(expect.arrayContaining(['rollback-failed', 'rollback-held', 'postmortem-required']));
    expect(parsed.channels[2]).toMatchObject({ headers: { authorization: 'Bearer headersecret' } });
  });

  it('parses retry durations', () => {
    expect(Notifications.parse({ retry: { attempts: 3, initialDelay: '250ms', maxDelay: '2m' } }).retry).toEqual({
      attempts: 3,
      initialDelay: 250,
      maxDelay: 120_000,
    });
  });

  it.each([
    ['an unknown key', { channels: [{ ...slack, colour: 'red' }] }],
    ['an unknown channel type', { channels: [{ ...slack, type: 'teams' }] }],
    ['an unknown event kind', { channels: [{ ...slack, events: ['deploy-started'] }] }],
    ['a webhook URL that is not http(s)', { channels: [{ ...slack, webhookUrl: 'ftp://x/y' }] }],
    ['duplicate channel names', { channels: [slack, { ...slack }] }],
    ['a zero duration', { retry: { initialDelay: '0s' } }],
    ['a pagerduty channel without a routing key', { channels: [{ name: 'pd', type: 'pagerduty' }] }],
  ])('when %s then invalid', (_label, input) => {
    expect(Notifications.safeParse(input).success).toBe(false);
  });

  it('renders to JSON Schema with descriptions, as the config schema does', () => {
    const schema = JSON.stringify(z.toJSONSchema(Notifications, { io: 'input', unrepresentable: 'any' }));
    expect(schema).toContain('Tries per message');
    expect(schema).toContain('Slack incoming-webhook URL');
  });
});

describe('collectNotifySecrets', () => {
  it('registers webhook URLs, the Slack path, token-like URL parts, header values and routing keys', () => {
    const secrets = new SecretRegistry();
    collectNotifySecrets(Notifications.parse({ channels: [slack, pagerduty, webhook] }), secrets);
    const text = [
      'https://hooks.slack.com/services/T0/B0/abcdefsecret',
      'POST /services/T0/B0/abcdefsecret failed',
      'R0UTINGKEY000000',
      'https://example.com/api/v1?token=querysecret123',
      'token=querysecret123',
      'Bearer headersecret',
    ].join('\n');
    expect(secrets.mask(text)).not.toMatch(/abcdefsecret|R0UTINGKEY|querysecret|headersecret/);
  });

  it('does not register a plain webhook path, which would mask unrelated log lines', () => {
    const secrets = new SecretRegistry();
    collectNotifySecrets(Notifications.parse({ channels: [webhook] }), secrets);
    expect(secrets.mask('GET /api/v1/status')).toBe('GET /api/v1/status');
  });
});
