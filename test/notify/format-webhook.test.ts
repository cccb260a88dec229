import { describe, expect, it } from 'vitest';
import { formatWebhook, WEBHOOK_SCHEMA_VERSION } from '../../src/notify/format-webhook.ts';
import { summarize } from '../../src/notify/summary.ts';
import { ALL_EVENTS } from './fixtures.ts';

describe('formatWebhook', () => {
  it.each(ALL_EVENTS.map((e) => [e.kind, e] as const))('when %s then the event with source, schema version, time and text', (_kind, e) => {
    const body = formatWebhook(e);
    expect(body).toEqual({
      source: 'rollback-watchdog',
      schemaVersion: WEBHOOK_SCHEMA_VERSION,
      time: '2025-05-06T12:00:00.000Z',
      text: summarize(e),
      event: e,
    });
    // What the receiver parses is exactly what was emitted.
    expect(JSON.parse(JSON.stringify(body)).event).toEqual(e);
  });

  it('keeps the schema version at 1 until a breaking change', () => {
    expect(WEBHOOK_SCHEMA_VERSION).toBe(1);
  });
});
