/**
 * SqliteStore's journal and incident statements, as functions of the connection (like
 * sqlite-audit.ts): the store class decides when they run (queued as writes, or as reads).
 */
import type { DatabaseSync } from 'node:sqlite';
import type { Incident } from '../domain/incident.ts';
import type { JournalEntry } from '../domain/journal.ts';
import { toJournalEntry, type JournalRow } from './rows.ts';

/** A journal row as SQLite returns it: JSON kept as TEXT. */
type StoredJournalRow = Omit<JournalRow, 'data'> & { data: string | null };

const journalEntry = (r: StoredJournalRow) => toJournalEntry({ ...r, data: r.data === null ? null : (JSON.parse(r.data) as Record<string, unknown>) });
const journalEntries = (rows: unknown) => (rows as StoredJournalRow[]).map(journalEntry);

export function appendJournal(db: DatabaseSync, entry: JournalEntry): void {
  db.prepare('INSERT INTO journal (target, at, kind, message, data, incident_id) VALUES (?, ?, ?, ?, ?, ?)').run(
    entry.target,
    entry.at,
    entry.kind,
    entry.message,
    entry.data ? JSON.stringify(entry.data) : null,
    entry.incidentId ?? null,
  );
}

export function listJournal(db: DatabaseSync, target: string | undefined, limit: number): JournalEntry[] {
  return journalEntries(
    target === undefined
      ? db.prepare('SELECT * FROM journal ORDER BY id DESC LIMIT ?').all(limit)
      : db.prepare('SELECT * FROM journal WHERE target = ? ORDER BY id DESC LIMIT ?').all(target, limit),
  );
}

export function journalAfter(db: DatabaseSync, afterId: number, limit: number): JournalEntry[] {
  return journalEntries(db.prepare('SELECT * FROM journal WHERE id > ? ORDER BY id ASC LIMIT ?').all(afterId, limit));
}

export function incidentTimeline(db: DatabaseSync, id: string): JournalEntry[] {
  return journalEntries(db.prepare('SELECT * FROM journal WHERE incident_id = ? ORDER BY id ASC').all(id));
}

export function putIncident(db: DatabaseSync, incident: Incident): void {
  db.prepare(
    `INSERT INTO incidents (id, target, status, opened_at, data) VALUES (?, ?, ?, ?, ?)
     ON CONFLICT (id) DO UPDATE SET status = excluded.status, data = excluded.data`,
  ).run(incident.id, incident.target, incident.status, incident.openedAt, JSON.stringify(incident));
}

export function getIncident(db: DatabaseSync, id: string): Incident | undefined {
  const row = db.prepare('SELECT data FROM incidents WHERE id = ?').get(id) as { data: string } | undefined;
  return row ? (JSON.parse(row.data) as Incident) : undefined;
}

export function listIncidents(db: DatabaseSync, target: string | undefined, limit: number): Incident[] {
  const rows = (
    target === undefined
      ? db.prepare('SELECT data FROM incidents ORDER BY opened_at DESC LIMIT ?').all(limit)
      : db.prepare('SELECT data FROM incidents WHERE target = ? ORDER BY opened_at DESC LIMIT ?').all(target, limit)
  ) as unknown as { data: string }[];
  return rows.map((r) => JSON.parse(r.data) as Incident);
}
