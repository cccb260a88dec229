/**
 * Database rows to records, shared by both stores: same column names, with JSON columns already
 * parsed (PostgreSQL returns them parsed; SqliteStore parses its TEXT before mapping).
 */
import type { ReleaseOrigin, Verdict } from '../domain/target-state.ts';
import type { AuditEntry, ReleaseRecord } from './types.ts';
import type { JournalEntry } from '../domain/journal.ts';

export interface ReleaseRow {
  target: string;
  version: number;
  image_ref: string;
  status: string;
  created_at: number;
  created_by: string;
  description: string;
  origin: string;
  verdict: string;
  verdict_reason: string | null;
  verdict_at: number | null;
  first_seen_at: number;
  migration_marker: number | null;
  image_digest: string | null;
}

export function toRecord(row: ReleaseRow): ReleaseRecord {
  return {
    target: row.target,
    version: row.version,
    imageRef: row.image_ref,
    status: row.status,
    createdAt: row.created_at,
    user: row.created_by,
    description: row.description,
    origin: row.origin as ReleaseOrigin,
    verdict: row.verdict as Verdict,
    ...(row.verdict_reason !== null && { verdictReason: row.verdict_reason }),
    ...(row.verdict_at !== null && { verdictAt: row.verdict_at }),
    ...(row.migration_marker !== null && { migrationMarker: row.migration_marker }),
    ...(row.image_digest !== null && row.image_digest !== undefined && { imageDigest: row.image_digest }),
    firstSeenAt: row.first_seen_at,
  };
}

export interface JournalRow {
  id: number;
  target: string;
  incident_id: string | null;
  at: number;
  kind: string;
  message: string;
  data: Record<string, unknown> | null;
}

export function toJournalEntry(r: JournalRow): JournalEntry {
  return {
    id: r.id,
    target: r.target,
    at: r.at,
    kind: r.kind,
    message: r.message,
    ...(r.data !== null && { data: r.data }),
    ...(r.incident_id !== null && { incidentId: r.incident_id }),
  };
}

export interface AuditRow extends Omit<AuditEntry, 'params' | 'target' | 'count' | 'source'> {
  id: number;
  target: string | null;
  params: Record<string, unknown> | null;
  count: number;
  source: string | null;
}

/** Leaves out empty optional fields, and a count of one. */
export function toAuditEntry({ params, target, count, source, ...rest }: AuditRow): AuditEntry {
  return {
    ...rest,
    ...(target !== null && { target }),
    ...(params !== null && { params }),
    ...(count !== 1 && { count }),
    ...(source !== null && { source }),
  };
}
