import { Client } from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PG_SCHEMA_VERSION } from '../../src/store/pg-migrations.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { skipPostgres, startPostgres, type PostgresServer } from '../support/postgres.ts';
import { rel, storeContract } from './store-contract.ts';

/** Runs `work` on a plain pg client, to look at the database behind the store's back. */
async function withClient<T>(url: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

/** Everything an error carries that could reach a log: message, stack, own properties, causes. */
function everything(err: unknown): string {
  const e = err as Error & { cause?: unknown };
  return [e.message, e.stack, JSON.stringify(e), e.cause ? everything(e.cause) : ''].join('\n');
}

// One throwaway cluster for this file; every contract test gets a schema of its own.
describe.skipIf(skipPostgres)('PostgreSQL', () => {
  let server: PostgresServer;
  beforeAll(async () => {
    server = await startPostgres();
  });
  afterAll(async () => {
    await server?.stop();
  });

  storeContract(
    'PostgresStore',
    (storage) => PostgresStore.open(server.url, { schema: `contract_${storage}` }),
    // Back to the schema before issue 16: the audit table without count and source, the releases
    // without a digest, two versions lower.
    (storage) =>
      withClient(server.url, async (c) => {
        const s = `contract_${storage}`;
        await c.query(
          `ALTER TABLE ${s}.releases DROP COLUMN image_digest; ALTER TABLE ${s}.audit DROP COLUMN count, DROP COLUMN source; DROP INDEX ${s}.audit_by_at; DELETE FROM ${s}.schema_migrations WHERE version >= ${PG_SCHEMA_VERSION - 1}`,
        );
      }),
  );

  describe('PostgresStore', () => {
    it('migrates exactly once when several replicas open a fresh database at the same time', async () => {
      const url = await server.createDatabase('fresh_concurrent');
      const stores = await Promise.all([PostgresStore.open(url), PostgresStore.open(url), PostgresStore.open(url)]);
      try {
        const versions = await withClient(url, async (c) => (await c.query('SELECT version FROM rollback_watchdog.schema_migrations ORDER BY version')).rows.map((r) => r.version));
        expect(versions).toEqual(Array.from({ length: PG_SCHEMA_VERSION }, (_, i) => i + 1));
        // All of them see one database.
        await stores[0]!.syncReleases('api', [rel(1)], 1);
        await stores[1]!.setVerdict('api', 1, 'good', 'ok', 2);
        expect((await stores[2]!.listReleases('api'))[0]?.verdict).toBe('good');
      } finally {
        await Promise.all(stores.map((s) => s.close()));
      }
    });

    it('keeps schemas apart, `rollback_watchdog` by default', async () => {
      const url = await server.createDatabase('fresh_schemas');
      const byDefault = await PostgresStore.open(url);
      const other = await PostgresStore.open(url, { schema: 'staging_watchdog' });
      try {
        await byDefault.saveControls('*', { paused: true }, 1);
        expect(await other.loadControls()).toEqual({});
        const schemas = await withClient(url, async (c) => (await c.query("SELECT nspname FROM pg_namespace WHERE nspname LIKE '%watchdog' ORDER BY nspname")).rows.map((r) => r.nspname));
        expect(schemas).toEqual(['rollback_watchdog', 'staging_watchdog']);
      } finally {
        await Promise.all([byDefault.close(), other.close()]);
      }
    });

    it.each(['Upper', 'a-b', 'x; DROP TABLE y', '', '1abc'])('refuses the schema name %j before connecting', async (schema) => {
      await expect(PostgresStore.open('postgres://u:p@127.0.0.1:1/db', { schema })).rejects.toMatchObject({ code: 'WD_ERR_STORE_SCHEMA' });
    });

    it('refuses a schema migrated by a newer build', async () => {
      const url = await server.createDatabase('fresh_newer');
      await (await PostgresStore.open(url)).close();
      await withClient(url, (c) => c.query('INSERT INTO rollback_watchdog.schema_migrations (version) VALUES ($1)', [PG_SCHEMA_VERSION + 1]));
      await expect(PostgresStore.open(url)).rejects.toMatchObject({ code: 'WD_ERR_STORE_SCHEMA' });
    });

    it('stores a NUL in text as U+FFFD instead of failing the write', async () => {
      const store = await PostgresStore.open(server.url, { schema: 'nul_text' });
      try {
        await store.appendJournal({ target: 'api', at: 1, kind: 'k', message: 'probe said a\u0000b', data: { raw: 'a\u0000b' } });
        expect(await store.listJournal()).toEqual([{ id: expect.any(Number), target: 'api', at: 1, kind: 'k', message: 'probe said a\uFFFDb', data: { raw: 'a\u0000b' } }]);
      } finally {
        await store.close();
      }
    });

    describe('never shows the password in an error', () => {
      const password = 'Sup3r-s3cret-pw';
      const cases: [string, () => string][] = [
        ['a wrong password', () => server.url.replace(/:[^:@/]*@/, `:${password}@`)],
        ['an unknown database', () => server.url.replace(/:[^:@/]*@/, `:${password}@`).replace(/\/[^/]+$/, '/no_such_db')],
        ['an unparsable URL', () => `postgres://watchdog:${password}@127.0.0.1:notaport/db`],
        ['nothing listening', () => `postgres://watchdog:${encodeURIComponent(password)}@127.0.0.1:1/db`],
      ];
      it.each(cases)('when %s', async (_label, url) => {
        const err = await PostgresStore.open(url(), { connectionTimeoutMs: 5_000 }).then(
          () => expect.fail('open should have failed'),
          (e: unknown) => e,
        );
        expect(everything(err)).not.toContain(password);
      });

      it('when a query fails on the real password', async () => {
        const store = await PostgresStore.open(server.url, { schema: 'masked_query' });
        const real = decodeURIComponent(/:([^:@/]*)@/.exec(server.url)![1]!);
        try {
          // PostgreSQL echoes a value it cannot parse: `invalid input syntax for type bigint: "…"`.
          const err = await store.syncReleases('api', [{ ...rel(1), createdAt: real as unknown as number }], 1).catch((e: unknown) => e);
          expect(err).toMatchObject({ code: '22P02' });
          expect(everything(err)).not.toContain(real);
        } finally {
          await store.close();
        }
      });
    });
  });
});
