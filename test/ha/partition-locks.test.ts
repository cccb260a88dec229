/**
 * A replica cut off from PostgreSQL in the middle of a guard transition: its transaction stays open
 * on the server (nothing tells the server the client is gone) and keeps the FOR SHARE lock the
 * store's lease check took. That one shard must wait for the stale session to end (its write was
 * checked under a valid lease and may still commit); every other shard of the cut replica must
 * be taken over as soon as its lease expires.
 */
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgCoordination } from '../../src/ha/pg-coordination.ts';
import { quoteSchema } from '../../src/store/pg-migrations.ts';
import { queries } from '../../src/store/pg-queries.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { pollUntil } from '../support/poll.ts';
import { skipPostgres, startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startTcpProxy } from '../support/tcp-proxy.ts';

const SCHEMA = 'partition_locks';
const SHARDS = ['t0', 't1', 't2', 't3', 't4'];
const TTL = 1_500;

describe.skipIf(skipPostgres)('takeover while a cut replica holds a lease row lock', () => {
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('takes every other expired shard at once; the locked one once the stale session is gone', async () => {
    const store = await PostgresStore.open(server.url, { schema: SCHEMA }); // migrations
    const proxy = await startTcpProxy({ port: Number(new URL(server.url).port) });
    const a = new PgCoordination(server.url, { schema: SCHEMA, queryTimeoutMs: 1_000 });
    const b = new PgCoordination(server.url, { schema: SCHEMA, queryTimeoutMs: 1_000 });
    const viaProxy = new URL(server.url);
    viaProxy.port = String(proxy.port);
    const stale = new Client({ connectionString: viaProxy.toString() });
    stale.on('error', () => undefined); // its connection is reset below
    try {
      expect((await a.acquire('A', SHARDS, 5, TTL)).size).toBe(5);
      // A's store connection: a guard transition has checked its lease on t0 (FOR SHARE) ...
      await stale.connect();
      await stale.query('BEGIN');
      const check = queries(quoteSchema(SCHEMA)).checkLease;
      expect((await stale.query(check, ['t0', 'A', 1])).rowCount).toBe(1);
      // ... when the network goes silent. A renews nothing from here on.
      proxy.blackhole();
      await pollUntil(async () => [...(await b.owners()).values()].every((l) => !l.valid), { timeoutMs: 5_000, what: 'A’s leases expiring' });

      const taken = await b.acquire('B', SHARDS, 5, TTL);
      expect([...taken.keys()].sort()).toEqual(['t1', 't2', 't3', 't4']);
      expect([...taken.values()]).toEqual([2, 2, 2, 2]);

      // The stale session ends (here: the connection is reset); t0 is free to take.
      proxy.heal({ reset: true });
      const t0 = await pollUntil(async () => (await b.acquire('B', ['t0'], 1, TTL)).get('t0'), { timeoutMs: 10_000, what: 't0 taken once the stale session ended' });
      expect(t0).toBe(2);
    } finally {
      proxy.heal({ reset: true }); // a client cannot even close through a blackhole
      await stale.end().catch(() => undefined);
      await Promise.all([a.close(), b.close(), store.close(), proxy.close()]);
    }
  });
});
