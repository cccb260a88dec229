import { describe, expect, it } from 'vitest';
import { dedupKey, formatPagerDuty, SUMMARY_MAX } from '../../src/notify/format-pagerduty.ts';
import { ALL_EVENTS, EVENTS } from './fixtures.ts';

const KEY = 'R0UTINGKEY0000000000000000000000';

describe('formatPagerDuty', () => {
  it.each(ALL_EVENTS.map((e) => [e.kind, e] as const))('when %s then a stable Events v2 body', (_kind, e) => {
    expect(formatPagerDuty(e, KEY)).toMatchSnapshot();
  });

  it.each([
    ['rollback-failed', 'trigger', 'critical'],
    ['rollback-held', 'trigger', 'critical'],
    ['release-failing', 'trigger', 'warning'],
    ['postmortem-required', 'trigger', 'warning'],
  ] as const)('when %s then %s with severity %s', (kind, action, severity) => {
    const body = formatPagerDuty(EVENTS[kind], KEY);
    expect(body).toMatchObject({ routing_key: KEY, event_action: action, payload: { severity, component: 'api', source: 'api (production)' } });
  });

  it('resolves a verified rollback with the same dedup key the failure triggered', () => {
    const opened = formatPagerDuty(EVENTS['rollback-held'], KEY);
    const resolved = formatPagerDuty(EVENTS['rollback-finished'], KEY);
    expect(resolved).toEqual({ routing_key: KEY, event_action: 'resolve', dedup_key: opened.dedup_key });
    expect(opened.dedup_key).toBe('rollback-watchdog/api/inc-7');
  });

  it('does not resolve when the rollback finished unverified', () => {
    expect(formatPagerDuty({ ...EVENTS['rollback-finished'], verified: false, severity: 'warning' }, KEY).event_action).toBe('trigger');
  });

  it('derives the key from target and incident; the postmortem reminder is its own page', () => {
    const { incidentId: _none, ...noIncident } = EVENTS['rollback-failed'];
    expect(dedupKey(noIncident)).toBe('rollback-watchdog/api/current');
    expect(dedupKey({ ...EVENTS['rollback-failed'], target: 'web' })).toBe('rollback-watchdog/web/inc-7');
    expect(dedupKey(EVENTS['postmortem-required'])).toBe('rollback-watchdog/api/inc-7/postmortem');
  });

  it('cuts the summary to 1024 characters', () => {
    const body = formatPagerDuty({ ...EVENTS['rollback-failed'], reason: 'x'.repeat(5000) }, KEY);
    expect(body.payload?.summary.length).toBe(SUMMARY_MAX);
  });

  it('carries the event facts in custom_details', () => {
    expect(formatPagerDuty(EVENTS['rollback-failed'], KEY).payload?.custom_details).toMatchObject({
      kind: 'rollback-failed',
      reason: 'fly deploy timed out',
      incidentId: 'inc-7',
      from: { version: 42 },
    });
  });
});
