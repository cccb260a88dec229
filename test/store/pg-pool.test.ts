/**
 * The transaction helper against a real PostgreSQL: a connection that dies while a transaction
 * holds it fails that transaction, and nothing else (no unhandled 'error' event, which would end
 * the process), and the dead connection is never handed out again.
 */
import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPool, inTransaction } from '../../src/store/pg-pool.ts';
import { skipPostgres, startPostgres, type PostgresServer } from '../support/postgres.ts';

describe.skipIf(skipPostgres)('inTransaction', () => {
  let server: PostgresServer;
  let admin: Client;

  beforeAll(async () => {
    server = await startPostgres();
    admin = new Client({ connectionString: server.url });
    await admin.connect();
  });
  afterAll(async () => {
    await admin?.end();
    await server?.stop();
  });

  it('when the server ends the session between statements then the transaction rejects and the pool carries on', async () => {
    const pool = createPool(server.url, { max: 1 });
    try {
      const work = inTransaction(pool, async (c) => {
        const { rows } = await c.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
        // As the server does to a session idle in a transaction too long, or on a failover.
        await admin.query('SELECT pg_terminate_backend($1)', [rows[0]!.pid]);
        await new Promise((resolve) => setTimeout(resolve, 200)); // the error arrives between statements
        await c.query('SELECT 1');
      });
      await expect(work).rejects.toThrow();
      // The only connection was discarded: the next transaction gets a fresh, working one.
      await expect(inTransaction(pool, async (c) => (await c.query<{ one: number }>('SELECT 1 AS one')).rows[0]!.one)).resolves.toBe(1);
    } finally {
      await pool.end();
    }
  });
});
