/**
 * PagerDuty Events API v2 body (https://developer.pagerduty.com/docs/events-api-v2/trigger-events/).
 * Every event of one incident on one target shares a `dedup_key`, so a held or failed rollback
 * opens one page and the verified rollback-finished resolves that same page.
 */
import type { NotifyEvent } from '../domain/notification.ts';
import { summarize, truncate } from './summary.ts';

/** PagerDuty rejects longer summaries with a 400, which would be a permanent failure. */
export const SUMMARY_MAX = 1024;
const DEDUP_KEY_MAX = 255;

export interface PagerDutyPayload {
  routing_key: string;
  event_action: 'trigger' | 'resolve';
  dedup_key: string;
  /** Absent on resolve: PagerDuty only needs the key. */
  payload?: {
    summary: string;
    source: string;
    severity: 'critical' | 'warning' | 'info';
    timestamp: string;
    component: string;
    group: string;
    class: string;
    custom_details: Record<string, unknown>;
  };
}

/**
 * `rollback-watchdog/<target>/<incident>`; without an incident id, one key per target, so repeated
 * alerts for the same target fold into the open page rather than paging again. A postmortem is its
 * own page: resolving the rollback must not close the reminder to write one.
 */
export function dedupKey(e: NotifyEvent): string {
  const base = `rollback-watchdog/${e.target}/${e.incidentId ?? 'current'}`;
  return truncate(e.kind === 'postmortem-required' ? `${base}/postmortem` : base, DEDUP_KEY_MAX);
}

export function formatPagerDuty(e: NotifyEvent, routingKey: string): PagerDutyPayload {
  const dedup_key = dedupKey(e);
  if (e.kind === 'rollback-finished' && e.verified) {
    return { routing_key: routingKey, event_action: 'resolve', dedup_key };
  }
  const { kind, target, environment, severity, ...details } = e;
  return {
    routing_key: routingKey,
    event_action: 'trigger',
    dedup_key,
    payload: {
      summary: truncate(summarize(e), SUMMARY_MAX),
      // `source` is where the problem is: the app, not the watchdog that noticed it.
      source: `${target} (${environment})`,
      severity,
      timestamp: new Date(e.at).toISOString(),
      component: target,
      group: environment,
      class: kind,
      custom_details: { kind, ...details },
    },
  };
}
