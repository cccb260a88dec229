/**
 * Leases, fencing and forwarded commands against a real PostgreSQL: the guarantees the replicas
 * rely on are the database's (row locks, conflict clauses, its one clock), so they are tested there.
 */
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgCoordination } from '../../src/ha/pg-coordination.ts';
import { initialState } from '../../src/domain/target-state.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import type { Transition } from '../../src/store/types.ts';
import { skipPostgres, startPostgres, type PostgresServer } from '../support/postgres.ts';

const TTL = 60_000;
const transition = (target: string, at: number): Transition => ({
  state: { ...initialState(target, at), phase: 'stable' },
  verdicts: [],
  origins: [],
  journal: [{ target, at, kind: 'test', message: `written at ${at}` }],
  openIncidents: [],
  closeIncidents: [],
});

describe.skipIf(skipPostgres)('PgCoordination on PostgreSQL', () => {
  let server: PostgresServer;
  let n = 0;
  /** A fresh schema (migrated by a store) and a coordination over it. */
  async function fresh(): Promise<{ store: PostgresStore; a: PgCoordination; b: PgCoordination; schema: string; close: () => Promise<void> }> {
    const schema = `ha_${++n}`;
    const store = await PostgresStore.open(server.url, { schema });
    const a = new PgCoordination(server.url, { schema, queryTimeoutMs: 5_000 });
    const b = new PgCoordination(server.url, { schema, queryTimeoutMs: 5_000 });
    return { store, a, b, schema, close: async () => void (await Promise.all([a.close(), b.close(), store.close()])) };
  }
  /** Backdates every lease of `schema`, as if its owner had stopped renewing long ago. */
  async function expireAll(schema: string): Promise<void> {
    const client = new Client({ connectionString: server.url });
    await client.connect();
    await client.query(`UPDATE ${schema}.leases SET expires_at = 1`);
    await client.end();
  }

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('gives each shard to exactly one replica however many race for it, up to each limit', async () => {
    const { a, b, close } = await fresh();
    const shards = Array.from({ length: 30 }, (_, i) => `t${i}`);
    const [gotA, gotB] = await Promise.all([a.acquire('A', shards, 20, TTL), b.acquire('B', shards, 20, TTL)]);
    const both = [...gotA.keys()].filter((s) => gotB.has(s));
    expect(both).toEqual([]);
    expect(gotA.size).toBeLessThanOrEqual(20);
    expect(gotB.size).toBeLessThanOrEqual(20);
    // Nothing valid can be taken twice: a second round by either (asking, as the lease manager
    // does, for the shards it does not hold) finds only what is still free.
    const again = await b.acquire('B', shards.filter((s) => !gotB.has(s)), 30, TTL);
    expect(gotA.size + gotB.size + again.size).toBe(30);
    expect([...again.keys()].filter((s) => gotA.has(s))).toEqual([]);
    await close();
  });

  it('hands an expired lease over with a higher epoch, and the old owner can no longer renew it', async () => {
    const { a, b, schema, close } = await fresh();
    const first = await a.acquire('A', ['api'], 1, TTL);
    expect(first.get('api')).toBe(1);
    expect(await b.acquire('B', ['api'], 1, TTL)).toEqual(new Map());
    expect(await a.renew('A', ['api'], TTL)).toEqual(new Map([['api', 1]]));
    await expireAll(schema);
    expect(await a.renew('A', ['api'], TTL)).toEqual(new Map());
    expect(await b.acquire('B', ['api'], 1, TTL)).toEqual(new Map([['api', 2]]));
    const owners = await a.owners();
    expect(owners.get('api')).toEqual({ owner: 'B', epoch: 2, valid: true });
    await close();
  });

  it('a replica retakes its own unexpired lease (after fencing itself) with a new epoch', async () => {
    const { a, b, close } = await fresh();
    await a.acquire('A', ['api'], 1, TTL);
    expect(await a.acquire('A', ['api'], 1, TTL)).toEqual(new Map([['api', 2]]));
    expect(await b.acquire('B', ['api'], 1, TTL)).toEqual(new Map());
    await close();
  });

  it('released leases are free at once', async () => {
    const { a, b, close } = await fresh();
    await a.acquire('A', ['api', 'worker'], 2, TTL);
    await a.release('A', ['worker']);
    expect([...(await b.acquire('B', ['api', 'worker'], 2, TTL)).keys()]).toEqual(['worker']);
    await close();
  });

  it('counts live replicas by heartbeat and forgets one that leaves', async () => {
    const { a, b, close } = await fresh();
    expect(await a.heartbeat('A', TTL)).toEqual({ live: 1 });
    expect(await b.heartbeat('B', TTL)).toEqual({ live: 2 });
    await b.leave('B');
    expect(await a.heartbeat('A', TTL)).toEqual({ live: 1 });
    // A replica not seen within the ttl is not counted.
    await b.heartbeat('B', TTL);
    expect(await a.heartbeat('A', 0)).toEqual({ live: 1 });
    await close();
  });

  it('fencing: the store refuses a transition under a lost or stale lease, and writes nothing', async () => {
    const { a, b, store, schema, close } = await fresh();
    await a.acquire('A', ['api'], 1, TTL);
    await store.saveTransition(transition('api', 1), 1, { shard: 'api', owner: 'A', epoch: 1 });
    await expireAll(schema);
    await expect(store.saveTransition(transition('api', 2), 2, { shard: 'api', owner: 'A', epoch: 1 })).rejects.toMatchObject({ code: 'WD_ERR_LEASE_LOST' });
    await b.acquire('B', ['api'], 1, TTL);
    // Same owner name, old epoch: still refused (a replica that lost and retook must use the new fence).
    await expect(store.saveTransition(transition('api', 3), 3, { shard: 'api', owner: 'A', epoch: 1 })).rejects.toMatchObject({ code: 'WD_ERR_LEASE_LOST' });
    await store.saveTransition(transition('api', 4), 4, { shard: 'api', owner: 'B', epoch: 2 });
    const journal = await store.listJournal('api');
    expect(journal.map((j) => j.message)).toEqual(['written at 4', 'written at 1']);
    await close();
  });

  it('a command is claimed by one replica only, once, and its outcome is read back', async () => {
    const { a, b, close } = await fresh();
    const id = await a.submit('api', 'approve', { reason: 'x' }, 'alice');
    expect(await a.outcome(id)).toEqual({ status: 'pending' });
    const [claimedA, claimedB] = await Promise.all([a.claim('A', ['api'], 10), b.claim('B', ['api'], 10)]);
    expect(claimedA.length + claimedB.length).toBe(1);
    const claimed = [...claimedA, ...claimedB][0];
    expect(claimed).toMatchObject({ id, target: 'api', kind: 'approve', params: { reason: 'x' }, requestedBy: 'alice' });
    expect(await a.claim('A', ['api'], 10)).toEqual([]);
    const who = claimedA.length ? 'A' : 'B';
    await a.complete(id, who, { status: 'done', result: { state: { phase: 'rolling-back' } } });
    expect(await b.outcome(id)).toEqual({ status: 'done', result: { state: { phase: 'rolling-back' } } });
    // Only commands for the targets asked about are claimed.
    await a.submit('worker', 'poll', {}, 'ci');
    expect(await a.claim('A', ['api'], 10)).toEqual([]);
    await close();
  });

  it('a failed command carries its error; a cancelled one is never claimed', async () => {
    const { a, close } = await fresh();
    const failed = await a.submit('api', 'veto', {}, 'alice');
    await a.claim('A', ['api'], 10);
    await a.complete(failed, 'A', { status: 'failed', error: { code: 'WD_ERR_NOT_HELD', message: 'api is not held', statusCode: 409 } });
    expect(await a.outcome(failed)).toEqual({ status: 'failed', error: { code: 'WD_ERR_NOT_HELD', message: 'api is not held', statusCode: 409 } });
    const cancelled = await a.submit('api', 'approve', {}, 'alice');
    expect(await a.cancel(cancelled)).toBe(true);
    expect(await a.claim('A', ['api'], 10)).toEqual([]);
    expect(await a.cancel(cancelled)).toBe(false);
    await close();
  });
});
