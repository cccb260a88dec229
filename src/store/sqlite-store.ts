/**
 * The embedded default store: one SQLite file through Node's built-in node:sqlite (no native addon
 * to build for the wrong Node). Synchronous calls are fine here: each is a small indexed write, and
 * durability before acting matters more than shaving microseconds off the guard loop.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import type { ReleaseOrigin, TargetState, Verdict } from '../domain/target-state.ts';
import type { Release } from '../domain/release.ts';
import { WD_ERR_STORE_SCHEMA } from '../infra/errors.ts';
import { applyClose, type Incident, type IncidentEvidence } from '../domain/incident.ts';
import { toJournalEntry, toRecord, type JournalRow, type ReleaseRow } from './rows.ts';
import { appendAudit, AUDIT_COUNT_MIGRATION, listAudit, pruneAudit } from './sqlite-audit.ts';
import type { AuditEntry, ReleaseRecord, Store, Transition } from './types.ts';
import type { Controls } from '../domain/policy.ts';
import type { JournalEntry } from '../domain/journal.ts';

/** Each entry upgrades the schema by one version; never edit a shipped entry, append a new one. */
const MIGRATIONS: readonly string[] = [
  `CREATE TABLE releases (
     target TEXT NOT NULL,
     version INTEGER NOT NULL,
     image_ref TEXT NOT NULL,
     status TEXT NOT NULL,
     created_at INTEGER NOT NULL,
     user TEXT NOT NULL,
     description TEXT NOT NULL,
     origin TEXT NOT NULL DEFAULT 'deploy',
     verdict TEXT NOT NULL DEFAULT 'pending',
     verdict_reason TEXT,
     verdict_at INTEGER,
     first_seen_at INTEGER NOT NULL,
     PRIMARY KEY (target, version)
   );
   CREATE INDEX releases_by_image ON releases (target, image_ref);
   CREATE TABLE target_state (
     target TEXT PRIMARY KEY,
     state TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );
   CREATE TABLE journal (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     target TEXT NOT NULL,
     at INTEGER NOT NULL,
     kind TEXT NOT NULL,
     message TEXT NOT NULL,
     data TEXT
   );
   CREATE INDEX journal_by_target ON journal (target, id);`,
  `CREATE TABLE controls (
     scope TEXT PRIMARY KEY,
     data TEXT NOT NULL,
     updated_at INTEGER NOT NULL
   );`,
  `CREATE TABLE audit (
     id INTEGER PRIMARY KEY AUTOINCREMENT,
     at INTEGER NOT NULL,
     actor TEXT NOT NULL,
     role TEXT NOT NULL,
     action TEXT NOT NULL,
     target TEXT,
     params TEXT,
     status INTEGER NOT NULL,
     result TEXT NOT NULL
   );`,
  `ALTER TABLE journal ADD COLUMN incident_id TEXT;
   CREATE INDEX journal_by_incident ON journal (incident_id, id);
   CREATE TABLE incidents (
     id TEXT PRIMARY KEY,
     target TEXT NOT NULL,
     status TEXT NOT NULL,
     opened_at INTEGER NOT NULL,
     data TEXT NOT NULL
   );
   CREATE INDEX incidents_by_target ON incidents (target, opened_at);`,
  `ALTER TABLE releases ADD COLUMN migration_marker REAL;`,
  AUDIT_COUNT_MIGRATION,
];

/** SQLite keeps JSON as TEXT: parse it, then map like any other store. */
const parseJson = (text: string | null) => (text === null ? null : (JSON.parse(text) as Record<string, unknown>));
const journalEntry = (r: Omit<JournalRow, 'data'> & { data: string | null }) => toJournalEntry({ ...r, data: parseJson(r.data) });

export class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  /** The guard loop's statements, prepared once (see #stmt). */
  readonly #statements = new Map<string, StatementSync>();

  /** Opens (creating if needed) the database file and applies pending migrations. */
  constructor(path: string) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#db = new DatabaseSync(path);
    // WAL lets readers (the admin API) run beside the writer; FULL sync because state is written
    // right before an irreversible action and must survive a power cut, not only a crash.
    this.#db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    this.#migrate();
  }

  /** A cached prepared statement: the guard loop runs the same few several hundred times a second. */
  #stmt(sql: string): StatementSync {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  }

  #migrate(): void {
    const row = this.#db.prepare('PRAGMA user_version').get() as { user_version: number };
    const current = row.user_version;
    if (current > MIGRATIONS.length) {
      throw new WD_ERR_STORE_SCHEMA(`database is at version ${current}, newer than this build knows (${MIGRATIONS.length})`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      this.#transaction(() => {
        this.#db.exec(MIGRATIONS[v] as string);
        this.#db.exec(`PRAGMA user_version = ${v + 1}`);
      });
    }
  }

  async syncReleases(target: string, releases: readonly Release[], now: number): Promise<void> {
    // Unchanged rows are not rewritten: a poll that finds nothing new then commits nothing (no fsync).
    const upsert = this.#stmt(
      `INSERT INTO releases (target, version, image_ref, status, created_at, user, description, first_seen_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (target, version) DO UPDATE SET status = excluded.status WHERE releases.status IS NOT excluded.status`,
    );
    this.#transaction(() => {
      for (const r of releases) {
        upsert.run(target, r.version, r.imageRef, r.status, r.createdAt, r.user, r.description, now);
      }
    });
  }

  async listReleases(target: string, limit = 100): Promise<ReleaseRecord[]> {
    const rows = this
      // `user AS created_by`: the PostgreSQL schema cannot use the reserved word, and rows.ts follows it.
      .#stmt('SELECT *, user AS created_by FROM releases WHERE target = ? ORDER BY version DESC LIMIT ?')
      .all(target, limit) as unknown as ReleaseRow[];
    return rows.map(toRecord);
  }

  async setVerdict(target: string, version: number, verdict: Verdict, reason: string, at: number): Promise<void> {
    this.#setVerdict(target, version, verdict, reason, at);
  }

  #setVerdict(target: string, version: number, verdict: Verdict, reason: string, at: number): void {
    this.#db
      .prepare('UPDATE releases SET verdict = ?, verdict_reason = ?, verdict_at = ? WHERE target = ? AND version = ?')
      .run(verdict, reason, at, target, version);
  }

  async setOrigin(target: string, version: number, origin: ReleaseOrigin): Promise<void> {
    this.#setOrigin(target, version, origin);
  }

  #setOrigin(target: string, version: number, origin: ReleaseOrigin): void {
    this.#db.prepare('UPDATE releases SET origin = ? WHERE target = ? AND version = ?').run(origin, target, version);
  }

  async setMigrationMarker(target: string, version: number, marker: number): Promise<void> {
    this.#db.prepare('UPDATE releases SET migration_marker = ? WHERE target = ? AND version = ?').run(marker, target, version);
  }

  async loadState(target: string): Promise<TargetState | undefined> {
    const row = this.#db.prepare('SELECT state FROM target_state WHERE target = ?').get(target) as
      | { state: string }
      | undefined;
    return row ? (JSON.parse(row.state) as TargetState) : undefined;
  }

  async loadStates(): Promise<TargetState[]> {
    const rows = this.#db.prepare('SELECT state FROM target_state ORDER BY target').all() as { state: string }[];
    return rows.map((r) => JSON.parse(r.state) as TargetState);
  }

  async saveState(state: TargetState, now: number): Promise<void> {
    this.#saveState(state, now);
  }

  #saveState(state: TargetState, now: number): void {
    this
      .#stmt(
        `INSERT INTO target_state (target, state, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (target) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
      )
      .run(state.target, JSON.stringify(state), now);
  }

  /** No fence: a SQLite file has exactly one daemon, which owns every target (no leases). */
  async saveTransition(t: Transition, now: number): Promise<void> {
    // A transition that decides nothing commits without waiting for the disk: a power cut may lose
    // the last rounds' progress, never a decision, since the next transition that records one
    // syncs the whole WAL, earlier frames too. (A crash of the process alone loses nothing.)
    this.#transaction(() => {
      for (const v of t.verdicts) this.#setVerdict(t.state.target, v.version, v.verdict, v.reason, now);
      for (const o of t.origins) this.#setOrigin(t.state.target, o.version, o.origin);
      for (const incident of t.openIncidents) this.#putIncident(incident);
      for (const c of t.closeIncidents) {
        const incident = this.#getIncident(c.id);
        const closed = incident && applyClose(incident, c);
        if (closed) this.#putIncident(closed);
      }
      for (const j of t.journal) this.#appendJournal(j);
      this.#saveState(t.state, now);
    }, t.progressOnly ? 'NORMAL' : 'FULL');
  }

  /**
   * Runs `work` (synchronous statements only) inside one IMMEDIATE transaction. `NORMAL` commits
   * without an fsync (in WAL mode: safe against a crash, not a power cut); FULL is the default.
   */
  #transaction(work: () => void, sync: 'FULL' | 'NORMAL' = 'FULL'): void {
    if (sync !== 'FULL') this.#db.exec(`PRAGMA synchronous = ${sync}`);
    this.#db.exec('BEGIN IMMEDIATE');
    try {
      work();
      this.#db.exec('COMMIT');
    } catch (err) {
      this.#db.exec('ROLLBACK');
      throw err;
    } finally {
      if (sync !== 'FULL') this.#db.exec('PRAGMA synchronous = FULL');
    }
  }

  async appendJournal(entry: JournalEntry): Promise<void> {
    this.#appendJournal(entry);
  }

  #appendJournal(entry: JournalEntry): void {
    this.#db
      .prepare('INSERT INTO journal (target, at, kind, message, data, incident_id) VALUES (?, ?, ?, ?, ?, ?)')
      .run(entry.target, entry.at, entry.kind, entry.message, entry.data ? JSON.stringify(entry.data) : null, entry.incidentId ?? null);
  }

  #putIncident(incident: Incident): void {
    this.#db
      .prepare(
        `INSERT INTO incidents (id, target, status, opened_at, data) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (id) DO UPDATE SET status = excluded.status, data = excluded.data`,
      )
      .run(incident.id, incident.target, incident.status, incident.openedAt, JSON.stringify(incident));
  }

  #getIncident(id: string): Incident | undefined {
    const row = this.#db.prepare('SELECT data FROM incidents WHERE id = ?').get(id) as { data: string } | undefined;
    return row ? (JSON.parse(row.data) as Incident) : undefined;
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return this.#getIncident(id);
  }

  async listIncidents(options: { target?: string; limit?: number } = {}): Promise<Incident[]> {
    const limit = options.limit ?? 100;
    const rows = (
      options.target === undefined
        ? this.#db.prepare('SELECT data FROM incidents ORDER BY opened_at DESC LIMIT ?').all(limit)
        : this.#db.prepare('SELECT data FROM incidents WHERE target = ? ORDER BY opened_at DESC LIMIT ?').all(options.target, limit)
    ) as unknown as { data: string }[];
    return rows.map((r) => JSON.parse(r.data) as Incident);
  }

  async addIncidentEvidence(id: string, evidence: IncidentEvidence): Promise<void> {
    this.#transaction(() => {
      const incident = this.#getIncident(id);
      if (incident) this.#putIncident({ ...incident, evidence: [...incident.evidence, evidence] });
    });
  }

  async incidentTimeline(id: string): Promise<JournalEntry[]> {
    const rows = this.#db.prepare('SELECT * FROM journal WHERE incident_id = ? ORDER BY id ASC').all(id) as unknown as (Omit<JournalRow, 'data'> & { data: string | null })[];
    return rows.map(journalEntry);
  }

  async journalAfter(afterId: number, limit: number): Promise<JournalEntry[]> {
    const rows = this.#db.prepare('SELECT * FROM journal WHERE id > ? ORDER BY id ASC LIMIT ?').all(afterId, limit) as unknown as (Omit<JournalRow, 'data'> & { data: string | null })[];
    return rows.map(journalEntry);
  }

  async listJournal(target?: string, limit = 200): Promise<JournalEntry[]> {
    const rows = (
      target === undefined
        ? this.#db.prepare('SELECT * FROM journal ORDER BY id DESC LIMIT ?').all(limit)
        : this.#db.prepare('SELECT * FROM journal WHERE target = ? ORDER BY id DESC LIMIT ?').all(target, limit)
    ) as unknown as (Omit<JournalRow, 'data'> & { data: string | null })[];
    return rows.map(journalEntry);
  }

  async appendAudit(e: AuditEntry): Promise<void> {
    appendAudit(this.#db, e);
  }

  async listAudit(limit = 200): Promise<AuditEntry[]> {
    return listAudit(this.#db, limit);
  }

  async pruneAudit(olderThan: number, keep: number): Promise<number> {
    return pruneAudit(this.#db, olderThan, keep);
  }

  async loadControls(): Promise<Record<string, Controls>> {
    const rows = this.#db.prepare('SELECT scope, data FROM controls').all() as unknown as { scope: string; data: string }[];
    return Object.fromEntries(rows.map((r) => [r.scope, JSON.parse(r.data) as Controls]));
  }

  async saveControls(scope: string, controls: Controls, now: number): Promise<void> {
    this.#db
      .prepare(
        `INSERT INTO controls (scope, data, updated_at) VALUES (?, ?, ?)
         ON CONFLICT (scope) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
      )
      .run(scope, JSON.stringify(controls), now);
  }

  async close(): Promise<void> {
    if (this.#db.isOpen) this.#db.close();
  }
}
