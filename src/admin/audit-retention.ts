/**
 * How long the audit trail keeps entries, by age and by count (issue 16: the trail had no retention,
 * so refused requests could fill the disk). Configured under `admin.audit`.
 */
export interface AuditRetention {
  /** Entries older than this are deleted. */
  maxAgeMs: number;
  /** Beyond this many entries, the oldest are deleted. */
  maxEntries: number;
}

const DAY = 24 * 3_600_000;

/**
 * A year of operator actions, and a bound on the disk it takes: an entry is at most about 2.5 KB
 * (its parameters are clipped to 2 KB), so the trail stays near 100 MB at most whatever clients send.
 */
export const DEFAULT_AUDIT_RETENTION: AuditRetention = { maxAgeMs: 365 * DAY, maxEntries: 50_000 };
