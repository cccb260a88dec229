/**
 * The shared store: PostgreSQL through pg (pure JS, no native binding), for replicas that must see
 * one history. Same semantics as SqliteStore, statement for statement; every multi-statement write
 * is one transaction, and nothing leaves this class with the connection string's password in it.
 */
import type { Pool, PoolClient, QueryResultRow } from 'pg';
import type { ReleaseOrigin, TargetState, Verdict } from '../domain/target-state.ts';
import { applyClose, type Incident, type IncidentEvidence } from '../domain/incident.ts';
import type { Release } from '../domain/release.ts';
import { migrate, quoteSchema } from './pg-migrations.ts';
import { createPool, inTransaction, type PoolOptions } from './pg-pool.ts';
import { queries, type Queries } from './pg-queries.ts';
import { toAuditEntry, toJournalEntry, toRecord, type AuditRow, type JournalRow, type ReleaseRow } from './rows.ts';
import { connectionSecrets, maskError } from '../infra/pg-secrets.ts';
import { WD_ERR_LEASE_LOST } from '../infra/errors.ts';
import type { LeaseFence } from '../domain/lease.ts';
import type { AuditEntry, ReleaseRecord, Store, Transition } from './types.ts';
import type { Controls } from '../domain/policy.ts';
import type { JournalEntry } from '../domain/journal.ts';

export interface PostgresStoreOptions extends PoolOptions {
  /** Schema holding the tables, created on first open. Default `rollback_watchdog`. */
  schema?: string;
}

export const DEFAULT_SCHEMA = 'rollback_watchdog';

type Db = Pool | PoolClient;

/** PostgreSQL text cannot hold U+0000 (SQLite can): a NUL in, say, probe output must not fail a write. */
const clean = (value: unknown) => (typeof value === 'string' && value.includes('\0') ? value.replaceAll('\0', '\uFFFD') : value);
const json = (value: unknown) => (value === undefined ? null : JSON.stringify(value));

export class PostgresStore implements Store {
  readonly #pool: Pool;
  readonly #sql: Queries;
  readonly #secrets: readonly string[];
  #closing: Promise<void> | undefined;

  private constructor(pool: Pool, sql: Queries, secrets: readonly string[]) {
    this.#pool = pool;
    this.#sql = sql;
    this.#secrets = secrets;
  }

  /**
   * Connects and applies pending migrations (once, under a lock, however many replicas start
   * together). Rejects with WD_ERR_STORE_SCHEMA for a bad schema name or a schema newer than this build.
   */
  static async open(url: string, options: PostgresStoreOptions = {}): Promise<PostgresStore> {
    const secrets = connectionSecrets(url);
    const schema = options.schema ?? DEFAULT_SCHEMA;
    const { onError } = options;
    let pool: Pool | undefined;
    try {
      const sql = queries(quoteSchema(schema));
      pool = createPool(url, { ...options, ...(onError && { onError: (err) => onError(maskError(err, secrets)) }) });
      await migrate(pool, schema);
      return new PostgresStore(pool, sql, secrets);
    } catch (err) {
      await pool?.end().catch(() => undefined);
      throw maskError(err, secrets);
    }
  }

  async #query<R extends QueryResultRow>(sql: string, values: unknown[], db: Db = this.#pool): Promise<R[]> {
    try {
      return (await db.query<R>(sql, values.map(clean))).rows;
    } catch (err) {
      throw maskError(err, this.#secrets);
    }
  }

  async #transaction(work: (client: PoolClient) => Promise<void>): Promise<void> {
    try {
      await inTransaction(this.#pool, work);
    } catch (err) {
      throw maskError(err, this.#secrets);
    }
  }

  async syncReleases(target: string, releases: readonly Release[], now: number): Promise<void> {
    // One row per version: ON CONFLICT may not touch a row twice in one statement. The last wins.
    const unique = [...new Map(releases.map((r) => [r.version, r])).values()];
    if (unique.length === 0) return;
    await this.#query(this.#sql.syncReleases, [
      target,
      now,
      unique.map((r) => r.version),
      unique.map((r) => clean(r.imageRef)),
      unique.map((r) => clean(r.status)),
      unique.map((r) => r.createdAt),
      unique.map((r) => clean(r.user)),
      unique.map((r) => clean(r.description)),
      unique.map((r) => (r.imageDigest === undefined ? null : clean(r.imageDigest))),
    ]);
  }

  async listReleases(target: string, limit = 100): Promise<ReleaseRecord[]> {
    return (await this.#query<ReleaseRow>(this.#sql.listReleases, [target, limit])).map(toRecord);
  }

  async setVerdict(target: string, version: number, verdict: Verdict, reason: string, at: number): Promise<void> {
    await this.#query(this.#sql.setVerdict, [target, version, verdict, reason, at]);
  }

  async setOrigin(target: string, version: number, origin: ReleaseOrigin): Promise<void> {
    await this.#query(this.#sql.setOrigin, [target, version, origin]);
  }

  async setMigrationMarker(target: string, version: number, marker: number): Promise<void> {
    await this.#query(this.#sql.setMigrationMarker, [target, version, marker]);
  }

  async loadStates(): Promise<TargetState[]> {
    return (await this.#query<{ state: TargetState }>(this.#sql.loadStates, [])).map((r) => r.state);
  }

  async loadState(target: string): Promise<TargetState | undefined> {
    return (await this.#query<{ state: TargetState }>(this.#sql.loadState, [target]))[0]?.state;
  }

  async saveState(state: TargetState, now: number): Promise<void> {
    await this.#saveState(state, now, this.#pool);
  }

  async #saveState(state: TargetState, now: number, db: Db): Promise<void> {
    await this.#query(this.#sql.saveState, [state.target, json(state), now], db);
  }

  async saveTransition(t: Transition, now: number, fence?: LeaseFence): Promise<void> {
    const target = t.state.target;
    await this.#transaction(async (c) => {
      // Decides nothing (see Transition.progressOnly): commit without waiting for the WAL flush.
      // A server crash may lose it; a later commit that waits flushes it along with its own.
      if (t.progressOnly) await this.#query(this.#sql.asyncCommit, [], c);
      // FOR SHARE: a takeover (which updates the lease row) waits until this write has committed.
      if (fence && (await this.#query(this.#sql.checkLease, [fence.shard, fence.owner, fence.epoch], c)).length === 0) {
        throw new WD_ERR_LEASE_LOST(fence.shard, fence.epoch);
      }
      for (const v of t.verdicts) await this.#query(this.#sql.setVerdict, [target, v.version, v.verdict, v.reason, now], c);
      for (const o of t.origins) await this.#query(this.#sql.setOrigin, [target, o.version, o.origin], c);
      for (const incident of t.openIncidents) await this.#putIncident(incident, c);
      for (const close of t.closeIncidents) {
        const incident = (await this.#query<{ data: Incident }>(this.#sql.lockIncident, [close.id], c))[0]?.data;
        const closed = incident && applyClose(incident, close);
        if (closed) await this.#putIncident(closed, c);
      }
      for (const entry of t.journal) await this.#appendJournal(entry, c);
      await this.#saveState(t.state, now, c);
    });
  }

  async appendJournal(entry: JournalEntry): Promise<void> {
    await this.#appendJournal(entry, this.#pool);
  }

  async #appendJournal(entry: JournalEntry, db: Db): Promise<void> {
    await this.#query(this.#sql.appendJournal, [entry.target, entry.incidentId ?? null, entry.at, entry.kind, entry.message, entry.data ? json(entry.data) : null], db);
  }

  async #putIncident(incident: Incident, db: Db): Promise<void> {
    await this.#query(this.#sql.putIncident, [incident.id, incident.target, incident.status, incident.openedAt, json(incident)], db);
  }

  async getIncident(id: string): Promise<Incident | undefined> {
    return (await this.#query<{ data: Incident }>(this.#sql.getIncident, [id]))[0]?.data;
  }

  async listIncidents(options: { target?: string; limit?: number } = {}): Promise<Incident[]> {
    const limit = options.limit ?? 100;
    const rows =
      options.target === undefined
        ? await this.#query<{ data: Incident }>(this.#sql.listIncidents, [limit])
        : await this.#query<{ data: Incident }>(this.#sql.listTargetIncidents, [options.target, limit]);
    return rows.map((r) => r.data);
  }

  async addIncidentEvidence(id: string, evidence: IncidentEvidence): Promise<void> {
    await this.#transaction(async (c) => {
      const incident = (await this.#query<{ data: Incident }>(this.#sql.lockIncident, [id], c))[0]?.data;
      if (incident) await this.#putIncident({ ...incident, evidence: [...incident.evidence, evidence] }, c);
    });
  }

  async incidentTimeline(id: string): Promise<JournalEntry[]> {
    return (await this.#query<JournalRow>(this.#sql.incidentTimeline, [id])).map(toJournalEntry);
  }

  async journalAfter(afterId: number, limit: number): Promise<JournalEntry[]> {
    return (await this.#query<JournalRow>(this.#sql.journalAfter, [afterId, limit])).map(toJournalEntry);
  }

  async listJournal(target?: string, limit = 200): Promise<JournalEntry[]> {
    const rows =
      target === undefined
        ? await this.#query<JournalRow>(this.#sql.listJournal, [limit])
        : await this.#query<JournalRow>(this.#sql.listTargetJournal, [target, limit]);
    return rows.map(toJournalEntry);
  }

  async appendAudit(e: AuditEntry): Promise<void> {
    await this.#query(this.#sql.appendAudit, [e.at, e.actor, e.role, e.action, e.target ?? null, e.params ? json(e.params) : null, e.status, e.result, e.count ?? 1, e.source ?? null]);
  }

  async listAudit(limit = 200): Promise<AuditEntry[]> {
    return (await this.#query<AuditRow>(this.#sql.listAudit, [limit])).map(toAuditEntry);
  }

  async pruneAudit(olderThan: number, keep: number): Promise<number> {
    return (await this.#query<{ n: number }>(this.#sql.pruneAudit, [olderThan, keep]))[0]?.n ?? 0;
  }

  async loadControls(): Promise<Record<string, Controls>> {
    const rows = await this.#query<{ scope: string; data: Controls }>(this.#sql.loadControls, []);
    return Object.fromEntries(rows.map((r) => [r.scope, r.data]));
  }

  async saveControls(scope: string, controls: Controls, now: number): Promise<void> {
    await this.#query(this.#sql.saveControls, [scope, json(controls), now]);
  }

  /** Ends the pool once; later calls wait for the same end. */
  async close(): Promise<void> {
    this.#closing ??= this.#pool.end();
    await this.#closing;
  }
}
