/**
 * SqliteStore's audit-trail statements, apart from the rest of the store: the trail is written by
 * the admin API (never by the guard loop), and pruned by it (see src/admin/audit-retention.ts).
 */
import type { DatabaseSync } from 'node:sqlite';
import { toAuditEntry, type AuditRow } from './rows.ts';
import type { AuditEntry } from './types.ts';

/** Upgrades the audit table of a database from before issue 16 in place: every row stays. */
export const AUDIT_COUNT_MIGRATION = `ALTER TABLE audit ADD COLUMN count INTEGER NOT NULL DEFAULT 1;
   ALTER TABLE audit ADD COLUMN source TEXT;
   CREATE INDEX audit_by_at ON audit (at);`;

export function appendAudit(db: DatabaseSync, e: AuditEntry): void {
  db.prepare('INSERT INTO audit (at, actor, role, action, target, params, status, result, count, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').run(
    e.at,
    e.actor,
    e.role,
    e.action,
    e.target ?? null,
    e.params ? JSON.stringify(e.params) : null,
    e.status,
    e.result,
    e.count ?? 1,
    e.source ?? null,
  );
}

export function listAudit(db: DatabaseSync, limit: number): AuditEntry[] {
  const rows = db.prepare('SELECT * FROM audit ORDER BY id DESC LIMIT ?').all(limit) as unknown as (Omit<AuditRow, 'params'> & { params: string | null })[];
  return rows.map((r) => toAuditEntry({ ...r, params: r.params === null ? null : (JSON.parse(r.params) as Record<string, unknown>) }));
}

export function pruneAudit(db: DatabaseSync, olderThan: number, keep: number): number {
  // With fewer than `keep` rows the subquery is NULL, and `id <= NULL` deletes nothing.
  const result = db.prepare('DELETE FROM audit WHERE at < ? OR id <= (SELECT id FROM audit ORDER BY id DESC LIMIT 1 OFFSET ?)').run(olderThan, keep);
  return Number(result.changes);
}
