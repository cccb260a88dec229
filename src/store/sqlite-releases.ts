/**
 * SqliteStore's release statements, as functions of the connection (like sqlite-journal.ts). The
 * guard runs the first three on every poll and step, so they take the store's cached statements.
 */
import type { DatabaseSync, StatementSync } from 'node:sqlite';
import type { Release } from '../domain/release.ts';
import type { ReleaseOrigin, Verdict } from '../domain/target-state.ts';
import { toRecord, type ReleaseRow } from './rows.ts';
import type { ReleaseRecord } from './types.ts';

/** A prepared statement for `sql`, from the store's cache. */
export type Prepared = (sql: string) => StatementSync;

/**
 * Inserts releases not seen before and refreshes the status of known ones, and their digest once
 * known (a digest is never forgotten); unchanged rows are not rewritten.
 */
export function upsertReleases(prepared: Prepared, target: string, releases: readonly Release[], now: number): void {
  const upsert = prepared(
    `INSERT INTO releases (target, version, image_ref, status, created_at, user, description, first_seen_at, image_digest)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
     ON CONFLICT (target, version) DO UPDATE SET status = excluded.status, image_digest = coalesce(excluded.image_digest, releases.image_digest)
     WHERE releases.status IS NOT excluded.status OR releases.image_digest IS NOT coalesce(excluded.image_digest, releases.image_digest)`,
  );
  for (const r of releases) upsert.run(target, r.version, r.imageRef, r.status, r.createdAt, r.user, r.description, now, r.imageDigest ?? null);
}

/** True when every release is stored with its current status and digest already: upserting them changes nothing. */
export function allReleasesStored(prepared: Prepared, target: string, releases: readonly Release[]): boolean {
  if (releases.length === 0) return true;
  const oldest = Math.min(...releases.map((r) => r.version));
  const rows = prepared('SELECT version, status, image_digest FROM releases WHERE target = ? AND version >= ?').all(target, oldest) as unknown as { version: number; status: string; image_digest: string | null }[];
  const stored = new Map(rows.map((r) => [r.version, r]));
  return releases.every((r) => {
    const row = stored.get(r.version);
    return row !== undefined && row.status === r.status && (r.imageDigest === undefined || row.image_digest === r.imageDigest);
  });
}

/** Newest first. */
export function listReleases(prepared: Prepared, target: string, limit: number): ReleaseRecord[] {
  // `user AS created_by`: the PostgreSQL schema cannot use the reserved word, and rows.ts follows it.
  const rows = prepared('SELECT *, user AS created_by FROM releases WHERE target = ? ORDER BY version DESC LIMIT ?').all(target, limit);
  return (rows as unknown as ReleaseRow[]).map(toRecord);
}

export function setVerdict(db: DatabaseSync, target: string, version: number, verdict: Verdict, reason: string, at: number): void {
  db.prepare('UPDATE releases SET verdict = ?, verdict_reason = ?, verdict_at = ? WHERE target = ? AND version = ?').run(verdict, reason, at, target, version);
}

export function setOrigin(db: DatabaseSync, target: string, version: number, origin: ReleaseOrigin): void {
  db.prepare('UPDATE releases SET origin = ? WHERE target = ? AND version = ?').run(origin, target, version);
}

export function setMigrationMarker(db: DatabaseSync, target: string, version: number, marker: number): void {
  db.prepare('UPDATE releases SET migration_marker = ? WHERE target = ? AND version = ?').run(marker, target, version);
}
