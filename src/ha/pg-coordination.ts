/**
 * Leases and forwarded commands on PostgreSQL. A separate small pool from the store's: renewing a
 * lease must never wait behind a burst of guard writes, and every statement here has a short
 * client-side timeout, so a replica cut off from the database notices within one renewal period.
 *
 * Lease times are the database's clock (`clock_timestamp()`), never a replica's: replicas in
 * different regions disagree about the time, the database is the one clock they share.
 */
import type { Pool } from 'pg';
import { createPool } from '../store/pg-pool.ts';
import { quoteSchema } from '../store/pg-migrations.ts';
import { connectionSecrets, maskError } from '../infra/pg-secrets.ts';
import type { Command, CommandKind, CommandOutcome, CommandQueue, LeaseTable } from './types.ts';

const NOW_MS = `(extract(epoch from clock_timestamp()) * 1000)::bigint`;

export interface PgCoordinationOptions {
  schema: string;
  /** Client-side limit for each statement; a renewal that takes longer has failed. */
  queryTimeoutMs: number;
  onError?: (err: Error) => void;
}

export class PgCoordination implements LeaseTable, CommandQueue {
  readonly #pool: Pool;
  readonly #s: string;
  readonly #secrets: readonly string[];

  constructor(url: string, options: PgCoordinationOptions) {
    this.#s = quoteSchema(options.schema);
    this.#secrets = connectionSecrets(url);
    const { onError } = options;
    this.#pool = createPool(url, {
      max: 2,
      connectionTimeoutMs: options.queryTimeoutMs,
      statementTimeoutMs: options.queryTimeoutMs,
      queryTimeoutMs: options.queryTimeoutMs,
      // A takeover must not queue behind a row lock for longer than a renewal period.
      lockTimeoutMs: options.queryTimeoutMs,
      ...(onError && { onError: (err: Error) => onError(maskError(err, this.#secrets)) }),
    });
  }

  async #rows<R>(sql: string, values: unknown[]): Promise<R[]> {
    try {
      return (await this.#pool.query(sql, values)).rows as R[];
    } catch (err) {
      throw maskError(err, this.#secrets);
    }
  }

  async heartbeat(replica: string, ttlMs: number): Promise<{ live: number }> {
    const rows = await this.#rows<{ live: number }>(
      `WITH me AS (
         INSERT INTO ${this.#s}.replicas (id, started_at, seen_at) VALUES ($1, ${NOW_MS}, ${NOW_MS})
         ON CONFLICT (id) DO UPDATE SET seen_at = excluded.seen_at
         RETURNING id
       )
       SELECT (SELECT count(*) FROM ${this.#s}.replicas WHERE id <> $1 AND seen_at > ${NOW_MS} - $2::bigint) + 1 AS live`,
      [replica, ttlMs],
    );
    return { live: Number(rows[0]?.live ?? 1) };
  }

  async renew(replica: string, shards: readonly string[], ttlMs: number): Promise<Map<string, number>> {
    if (shards.length === 0) return new Map();
    const rows = await this.#rows<{ shard: string; epoch: number }>(
      `UPDATE ${this.#s}.leases SET expires_at = ${NOW_MS} + $3::bigint
       WHERE owner = $1 AND shard = ANY($2::text[]) AND expires_at > ${NOW_MS}
       RETURNING shard, epoch`,
      [replica, shards, ttlMs],
    );
    return new Map(rows.map((r) => [r.shard, Number(r.epoch)]));
  }

  async acquire(replica: string, shards: readonly string[], limit: number, ttlMs: number): Promise<Map<string, number>> {
    if (shards.length === 0 || limit <= 0) return new Map();
    // md5(shard || replica) is rendezvous hashing: each replica prefers a different, stable subset,
    // so replicas starting together do not all race for the same shards. The conflict clause is
    // the arbiter: only a lease that has expired changes hands, and its epoch goes up. The rows are
    // written in shard order, whatever the preference: replicas racing for overlapping shards then
    // lock them in the same order, where preference order made PostgreSQL abort one of them with
    // "deadlock detected" (4 in 300 three-way races at startup, each a failed lease round).
    // SKIP LOCKED: an expired lease row can still be locked by its old owner's guard transition
    // (the store's lease check is FOR SHARE) when that owner was cut off mid-transaction; the
    // server keeps that session until idle_in_transaction_session_timeout. Waiting on it made the
    // whole statement time out, so not one of the cut replica's shards was taken over for that
    // long (test/ha/partition-locks.test.ts); now only that shard waits, as it must.
    // A replica may also retake its own leases that have not expired (they were fenced locally,
    // e.g. after a slow renewal): with a new epoch, so its old runners' writes stay refused, and
    // without leaving the shard unguarded until the old lease runs out.
    const rows = await this.#rows<{ shard: string; epoch: number }>(
      `WITH expired AS (
         SELECT shard FROM ${this.#s}.leases
         WHERE shard = ANY($2::text[]) AND (expires_at <= ${NOW_MS} OR owner = $1)
         ORDER BY md5(shard || $1)
         LIMIT $3
         FOR UPDATE SKIP LOCKED
       ),
       free AS (
         SELECT shard FROM (
           SELECT shard FROM expired
           UNION ALL
           SELECT s FROM unnest($2::text[]) AS s WHERE NOT EXISTS (SELECT 1 FROM ${this.#s}.leases l WHERE l.shard = s)
         ) candidates
         ORDER BY md5(shard || $1)
         LIMIT $3
       )
       INSERT INTO ${this.#s}.leases (shard, owner, epoch, expires_at, acquired_at)
       SELECT shard, $1, 1, ${NOW_MS} + $4::bigint, ${NOW_MS} FROM free ORDER BY shard
       ON CONFLICT (shard) DO UPDATE
         SET owner = excluded.owner, epoch = ${this.#s}.leases.epoch + 1, expires_at = excluded.expires_at, acquired_at = excluded.acquired_at
         WHERE ${this.#s}.leases.expires_at <= ${NOW_MS} OR ${this.#s}.leases.owner = excluded.owner
       RETURNING shard, epoch`,
      [replica, shards, limit, ttlMs],
    );
    return new Map(rows.map((r) => [r.shard, Number(r.epoch)]));
  }

  async release(replica: string, shards: readonly string[]): Promise<void> {
    if (shards.length === 0) return;
    await this.#rows(`UPDATE ${this.#s}.leases SET expires_at = 0 WHERE owner = $1 AND shard = ANY($2::text[])`, [replica, shards]);
  }

  async owners(): Promise<Map<string, { owner: string; epoch: number; valid: boolean }>> {
    const rows = await this.#rows<{ shard: string; owner: string; epoch: number; valid: boolean }>(
      `SELECT shard, owner, epoch, expires_at > ${NOW_MS} AS valid FROM ${this.#s}.leases`,
      [],
    );
    return new Map(rows.map((r) => [r.shard, { owner: r.owner, epoch: Number(r.epoch), valid: r.valid }]));
  }

  async leave(replica: string): Promise<void> {
    await this.#rows(`DELETE FROM ${this.#s}.replicas WHERE id = $1`, [replica]);
  }

  async submit(target: string, kind: CommandKind, params: Record<string, unknown>, requestedBy: string): Promise<number> {
    const rows = await this.#rows<{ id: number }>(
      `INSERT INTO ${this.#s}.commands (target, kind, params, requested_by, created_at) VALUES ($1, $2, $3, $4, ${NOW_MS}) RETURNING id`,
      [target, kind, JSON.stringify(params), requestedBy],
    );
    return Number(rows[0]?.id);
  }

  async claim(replica: string, targets: readonly string[], limit: number): Promise<Command[]> {
    if (targets.length === 0) return [];
    // SKIP LOCKED: two claimers (an old and a new owner around a takeover) never get the same row.
    const rows = await this.#rows<{ id: number; target: string; kind: CommandKind; params: Record<string, unknown>; requested_by: string }>(
      `UPDATE ${this.#s}.commands SET status = 'running', done_by = $1
       WHERE id IN (
         SELECT id FROM ${this.#s}.commands WHERE status = 'pending' AND target = ANY($2::text[])
         ORDER BY id LIMIT $3 FOR UPDATE SKIP LOCKED
       )
       RETURNING id, target, kind, params, requested_by`,
      [replica, targets, limit],
    );
    return rows
      .map((r) => ({ id: Number(r.id), target: r.target, kind: r.kind, params: r.params, requestedBy: r.requested_by }))
      .sort((a, b) => a.id - b.id);
  }

  async complete(id: number, replica: string, outcome: Exclude<CommandOutcome, { status: 'pending' }>): Promise<void> {
    const result = outcome.status === 'done' ? outcome.result : { error: outcome.error };
    await this.#rows(
      `UPDATE ${this.#s}.commands SET status = $3, result = $4, done_at = ${NOW_MS} WHERE id = $1 AND done_by = $2`,
      [id, replica, outcome.status, JSON.stringify(result)],
    );
  }

  async outcome(id: number): Promise<CommandOutcome> {
    const rows = await this.#rows<{ status: string; result: Record<string, unknown> | null }>(
      `SELECT status, result FROM ${this.#s}.commands WHERE id = $1`,
      [id],
    );
    const row = rows[0];
    if (!row || row.status === 'pending' || row.status === 'running' || !row.result) return { status: 'pending' };
    if (row.status === 'failed') return { status: 'failed', error: row.result.error as { code: string; message: string; statusCode: number } };
    return { status: 'done', result: row.result };
  }

  async cancel(id: number): Promise<boolean> {
    const rows = await this.#rows(`UPDATE ${this.#s}.commands SET status = 'cancelled', done_at = ${NOW_MS} WHERE id = $1 AND status = 'pending' RETURNING id`, [id]);
    return rows.length > 0;
  }

  async close(): Promise<void> {
    await this.#pool.end();
  }
}
