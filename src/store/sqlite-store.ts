/**
 * The embedded default store: one SQLite file through Node's built-in node:sqlite (no native addon
 * to build for the wrong Node). Its statements are synchronous and small (indexed writes), and
 * durability before acting matters more than shaving microseconds off the guard loop. What none
 * may do is wait inside SQLite for a lock another process holds: that would freeze the daemon.
 * Every write goes through one LockWaitingWrites queue and every read through readWhileBusy
 * (sqlite-lock-wait.ts says why and how); with the lock free, both run at once, as plain calls.
 */
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { applyClose, type Incident, type IncidentEvidence } from '../domain/incident.ts';
import type { JournalEntry } from '../domain/journal.ts';
import type { Controls } from '../domain/policy.ts';
import type { Release } from '../domain/release.ts';
import type { ReleaseOrigin, TargetState, Verdict } from '../domain/target-state.ts';
import { appendAudit, listAudit, pruneAudit } from './sqlite-audit.ts';
import * as journal from './sqlite-journal.ts';
import * as releaseRows from './sqlite-releases.ts';
import { DEFAULT_MAX_LOCK_WAIT_MS, DEFAULT_STALL_AFTER_MS, LockWaitingWrites, readWhileBusy, type LockWaitListener } from './sqlite-lock-wait.ts';
import { migrate } from './sqlite-migrations.ts';
import type { AuditEntry, ReleaseRecord, Store, Transition } from './types.ts';

export interface SqliteStoreOptions {
  /** How long a call waits for a lock another process holds before it fails (WD_ERR_STORE_LOCKED). */
  maxLockWaitMs?: number;
  /** After how long of waiting writes `lockWait.stalled` is called. */
  stallAfterMs?: number;
  /** Told when writes are held up by a lock, and when they go through again (the daemon's readiness). */
  lockWait?: LockWaitListener;
}

/** At startup nothing else runs yet, so waiting inside SQLite for a lock costs nobody anything. */
const OPEN_BUSY_TIMEOUT_MS = 5_000;

export class SqliteStore implements Store {
  readonly #db: DatabaseSync;
  /** The guard loop's statements, prepared once (see #prepared). */
  readonly #statements = new Map<string, StatementSync>();
  readonly #writes: LockWaitingWrites;
  readonly #maxLockWaitMs: number;

  /** Opens (creating if needed) the database file and applies pending migrations. */
  constructor(path: string, options: SqliteStoreOptions = {}) {
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.#maxLockWaitMs = options.maxLockWaitMs ?? DEFAULT_MAX_LOCK_WAIT_MS;
    this.#writes = new LockWaitingWrites({
      maxWaitMs: this.#maxLockWaitMs,
      stallAfterMs: options.stallAfterMs ?? DEFAULT_STALL_AFTER_MS,
      ...(options.lockWait && { listener: options.lockWait }),
    });
    this.#db = new DatabaseSync(path);
    // WAL lets readers (the admin API) run beside the writer; FULL sync because state is written
    // right before an irreversible action and must survive a power cut, not only a crash.
    this.#db.exec(`PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = ${OPEN_BUSY_TIMEOUT_MS};`);
    migrate(this.#db, (work) => this.#transaction(work));
    // From here on SQLite never waits for a lock itself: the store retries off the event loop.
    this.#db.exec('PRAGMA busy_timeout = 0');
  }

  /** A cached prepared statement: the guard loop runs the same few several hundred times a second. */
  readonly #prepared = (sql: string): StatementSync => {
    let statement = this.#statements.get(sql);
    if (!statement) {
      statement = this.#db.prepare(sql);
      this.#statements.set(sql, statement);
    }
    return statement;
  };

  /** One whole write (a transaction or a single statement), in call order, waiting out a lock. */
  #write<T>(what: string, work: () => T): Promise<T> {
    return this.#writes.run(what, work);
  }

  #read<T>(what: string, read: () => T): Promise<T> {
    return readWhileBusy(what, read, this.#maxLockWaitMs);
  }

  async syncReleases(target: string, releases: readonly Release[], now: number): Promise<void> {
    // A poll that finds nothing new writes nothing: it needs no lock, so it never waits for one.
    // Checked only when no write waits: the check must not overtake a write to the same rows.
    if (this.#writes.quiet && (await this.#read('syncReleases', () => releaseRows.allReleasesStored(this.#prepared, target, releases)))) return;
    await this.#write(`syncReleases (${target})`, () => this.#transaction(() => releaseRows.upsertReleases(this.#prepared, target, releases, now)));
  }

  async listReleases(target: string, limit = 100): Promise<ReleaseRecord[]> {
    return this.#read('listReleases', () => releaseRows.listReleases(this.#prepared, target, limit));
  }

  async setVerdict(target: string, version: number, verdict: Verdict, reason: string, at: number): Promise<void> {
    await this.#write(`setVerdict (${target} v${version})`, () => releaseRows.setVerdict(this.#db, target, version, verdict, reason, at));
  }

  async setOrigin(target: string, version: number, origin: ReleaseOrigin): Promise<void> {
    await this.#write(`setOrigin (${target} v${version})`, () => releaseRows.setOrigin(this.#db, target, version, origin));
  }

  async setMigrationMarker(target: string, version: number, marker: number): Promise<void> {
    await this.#write(`setMigrationMarker (${target} v${version})`, () => releaseRows.setMigrationMarker(this.#db, target, version, marker));
  }

  async loadState(target: string): Promise<TargetState | undefined> {
    const row = await this.#read('loadState', () => this.#db.prepare('SELECT state FROM target_state WHERE target = ?').get(target) as { state: string } | undefined);
    return row ? (JSON.parse(row.state) as TargetState) : undefined;
  }

  async loadStates(): Promise<TargetState[]> {
    const rows = await this.#read('loadStates', () => this.#db.prepare('SELECT state FROM target_state ORDER BY target').all() as { state: string }[]);
    return rows.map((r) => JSON.parse(r.state) as TargetState);
  }

  async saveState(state: TargetState, now: number): Promise<void> {
    await this.#write(`saveState (${state.target})`, () => this.#saveState(state, now));
  }

  #saveState(state: TargetState, now: number): void {
    this.#prepared(
      `INSERT INTO target_state (target, state, updated_at) VALUES (?, ?, ?)
       ON CONFLICT (target) DO UPDATE SET state = excluded.state, updated_at = excluded.updated_at`,
    ).run(state.target, JSON.stringify(state), now);
  }

  /** No fence: a SQLite file has exactly one daemon, which owns every target (no leases). */
  async saveTransition(t: Transition, now: number): Promise<void> {
    // A transition that decides nothing commits without waiting for the disk: a power cut may lose
    // the last rounds' progress, never a decision, since the next transition that records one
    // syncs the whole WAL, earlier frames too. (A crash of the process alone loses nothing.)
    const sync = t.progressOnly ? 'NORMAL' : 'FULL';
    await this.#write(`saveTransition (${t.state.target})`, () =>
      this.#transaction(() => {
        for (const v of t.verdicts) releaseRows.setVerdict(this.#db, t.state.target, v.version, v.verdict, v.reason, now);
        for (const o of t.origins) releaseRows.setOrigin(this.#db, t.state.target, o.version, o.origin);
        for (const incident of t.openIncidents) journal.putIncident(this.#db, incident);
        for (const c of t.closeIncidents) {
          const incident = journal.getIncident(this.#db, c.id);
          const closed = incident && applyClose(incident, c);
          if (closed) journal.putIncident(this.#db, closed);
        }
        for (const j of t.journal) journal.appendJournal(this.#db, j);
        this.#saveState(t.state, now);
      }, sync),
    );
  }

  /**
   * Runs `work` (synchronous statements only) inside one IMMEDIATE transaction. `NORMAL` commits
   * without an fsync (in WAL mode: safe against a crash, not a power cut); FULL is the default.
   * Under a lock, BEGIN fails at once with SQLITE_BUSY and nothing was done: the caller retries.
   */
  #transaction(work: () => void, sync: 'FULL' | 'NORMAL' = 'FULL'): void {
    if (sync !== 'FULL') this.#db.exec(`PRAGMA synchronous = ${sync}`);
    try {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        work();
        this.#db.exec('COMMIT');
      } catch (err) {
        if (this.#db.isTransaction) this.#db.exec('ROLLBACK');
        throw err;
      }
    } finally {
      // Also when BEGIN failed: the next write must not inherit NORMAL.
      if (sync !== 'FULL') this.#db.exec('PRAGMA synchronous = FULL');
    }
  }

  async appendJournal(entry: JournalEntry): Promise<void> {
    await this.#write(`appendJournal (${entry.target})`, () => journal.appendJournal(this.#db, entry));
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return this.#read('getIncident', () => journal.getIncident(this.#db, id));
  }

  async listIncidents(options: { target?: string; limit?: number } = {}): Promise<Incident[]> {
    return this.#read('listIncidents', () => journal.listIncidents(this.#db, options.target, options.limit ?? 100));
  }

  async addIncidentEvidence(id: string, evidence: IncidentEvidence): Promise<void> {
    await this.#write(`addIncidentEvidence (${id})`, () =>
      this.#transaction(() => {
        const incident = journal.getIncident(this.#db, id);
        if (incident) journal.putIncident(this.#db, { ...incident, evidence: [...incident.evidence, evidence] });
      }),
    );
  }

  async incidentTimeline(id: string): Promise<JournalEntry[]> {
    return this.#read('incidentTimeline', () => journal.incidentTimeline(this.#db, id));
  }

  async journalAfter(afterId: number, limit: number): Promise<JournalEntry[]> {
    return this.#read('journalAfter', () => journal.journalAfter(this.#db, afterId, limit));
  }

  async listJournal(target?: string, limit = 200): Promise<JournalEntry[]> {
    return this.#read('listJournal', () => journal.listJournal(this.#db, target, limit));
  }

  async appendAudit(e: AuditEntry): Promise<void> {
    await this.#write(`appendAudit (${e.action})`, () => appendAudit(this.#db, e));
  }

  async listAudit(limit = 200): Promise<AuditEntry[]> {
    return this.#read('listAudit', () => listAudit(this.#db, limit));
  }

  async pruneAudit(olderThan: number, keep: number): Promise<number> {
    return this.#write('pruneAudit', () => pruneAudit(this.#db, olderThan, keep));
  }

  async loadControls(): Promise<Record<string, Controls>> {
    const rows = await this.#read('loadControls', () => this.#db.prepare('SELECT scope, data FROM controls').all() as unknown as { scope: string; data: string }[]);
    return Object.fromEntries(rows.map((r) => [r.scope, JSON.parse(r.data) as Controls]));
  }

  async saveControls(scope: string, controls: Controls, now: number): Promise<void> {
    await this.#write(`saveControls (${scope})`, () =>
      this.#db
        .prepare(
          `INSERT INTO controls (scope, data, updated_at) VALUES (?, ?, ?)
           ON CONFLICT (scope) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at`,
        )
        .run(scope, JSON.stringify(controls), now),
    );
  }

  /** Writes what still waits for a lock (each within its bound), then closes: nothing asked for is dropped. */
  async close(): Promise<void> {
    await this.#writes.idle();
    if (this.#db.isOpen) this.#db.close();
  }
}
