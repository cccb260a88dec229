import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, formatSlack } from '../../src/notify/format-slack.ts';
import { ALL_EVENTS, EVENTS } from './fixtures.ts';

describe('formatSlack', () => {
  it.each(ALL_EVENTS.map((e) => [e.kind, e] as const))('when %s then a stable Block Kit payload', (_kind, e) => {
    expect(formatSlack(e)).toMatchSnapshot();
  });

  it.each([
    ['info', ':information_source:'],
    ['warning', ':warning:'],
    ['critical', ':rotating_light:'],
  ] as const)('when severity is %s then the header and fallback start with %s', (severity, emoji) => {
    const payload = formatSlack({ ...EVENTS['rollback-failed'], severity });
    const header = payload.blocks[0] as { type: string; text: { text: string } };
    expect(header.type).toBe('header');
    expect(header.text.text).toBe(`${emoji} Rollback FAILED: api (production)`);
    expect(payload.text.startsWith(emoji)).toBe(true);
  });

  it('puts target, environment, versions and reason in fields', () => {
    const fields = (formatSlack(EVENTS['rollback-started']).blocks[2] as { fields: Array<{ text: string }> }).fields.map((f) => f.text);
    expect(fields).toEqual(
      expect.arrayContaining(['*Target*\napi', '*Environment*\nproduction', '*Versions*\nv42 → v41', '*Reason*\nhealth failed']),
    );
  });

  it('lists approve and veto commands for a held rollback', () => {
    const text = JSON.stringify(formatSlack(EVENTS['rollback-held']).blocks);
    expect(text).toContain('What you can do');
    expect(text).toContain('rollback-watchdog approve api');
    expect(text).toContain('rollback-watchdog veto api');
  });

  it('escapes mrkdwn control characters so a reason cannot ping @channel or forge a link', () => {
    expect(escapeMrkdwn('<!channel> & <http://x|y>')).toBe('&lt;!channel&gt; &amp; &lt;http://x|y&gt;');
    const payload = formatSlack({ ...EVENTS['rollback-failed'], reason: '<!channel> down' });
    expect(JSON.stringify(payload.blocks)).not.toContain('<!channel>');
  });

  it('keeps within Slack limits: header 150 characters, section 3000', () => {
    const payload = formatSlack({ ...EVENTS['rollback-failed'], target: 'a'.repeat(200), reason: 'x'.repeat(5000) });
    const header = payload.blocks[0] as { text: { text: string } };
    const summary = payload.blocks[1] as { text: { text: string } };
    expect(header.text.text.length).toBe(150);
    expect(summary.text.text.length).toBe(3000);
  });
});
