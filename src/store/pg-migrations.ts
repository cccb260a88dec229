/**
 * Versioned schema migrations for the PostgreSQL store. Several replicas may start at once, so the
 * whole upgrade runs in one transaction under a transaction-scoped advisory lock: the first opener
 * migrates, the others wait for its commit, then find nothing left to do. DDL is transactional in
 * PostgreSQL, so a failed migration leaves the schema exactly as it was.
 */
import type { Pool } from 'pg';
import { WD_ERR_STORE_SCHEMA } from '../infra/errors.ts';

/**
 * Each entry upgrades the schema by one version; never edit a shipped entry, append a new one.
 * `s` is the quoted schema name. Times are epoch ms (bigint, read back as numbers); JSON columns
 * are `json`, not `jsonb`: stored text round-trips exactly and `\u0000` in probe output is accepted.
 */
const MIGRATIONS: readonly ((s: string) => string)[] = [
  (s) => `
    CREATE TABLE ${s}.releases (
      target text NOT NULL,
      version integer NOT NULL,
      image_ref text NOT NULL,
      status text NOT NULL,
      created_at bigint NOT NULL,
      created_by text NOT NULL, -- SQLite's "user": a reserved word here
      description text NOT NULL,
      origin text NOT NULL DEFAULT 'deploy',
      verdict text NOT NULL DEFAULT 'pending',
      verdict_reason text,
      verdict_at bigint,
      first_seen_at bigint NOT NULL,
      migration_marker double precision,
      PRIMARY KEY (target, version)
    );
    CREATE TABLE ${s}.target_state (
      target text PRIMARY KEY,
      state json NOT NULL,
      updated_at bigint NOT NULL
    );
    CREATE TABLE ${s}.journal (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      target text NOT NULL,
      incident_id text,
      at bigint NOT NULL,
      kind text NOT NULL,
      message text NOT NULL,
      data json
    );
    CREATE INDEX journal_by_target ON ${s}.journal (target, id);
    CREATE INDEX journal_by_incident ON ${s}.journal (incident_id, id) WHERE incident_id IS NOT NULL;
    CREATE TABLE ${s}.incidents (
      id text PRIMARY KEY,
      target text NOT NULL,
      status text NOT NULL,
      opened_at bigint NOT NULL,
      data json NOT NULL
    );
    CREATE INDEX incidents_by_target ON ${s}.incidents (target, opened_at);
    CREATE TABLE ${s}.audit (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      at bigint NOT NULL,
      actor text NOT NULL,
      role text NOT NULL,
      action text NOT NULL,
      target text,
      params json,
      status integer NOT NULL,
      result text NOT NULL
    );
    CREATE TABLE ${s}.controls (
      scope text PRIMARY KEY,
      data json NOT NULL,
      updated_at bigint NOT NULL
    );`,
  // Several replicas (docs/ha.md): who is alive, who guards which shard, and operator commands
  // handed from the replica that took the request to the one that owns the target.
  (s) => `
    CREATE TABLE ${s}.replicas (
      id text PRIMARY KEY,
      started_at bigint NOT NULL,
      seen_at bigint NOT NULL
    );
    CREATE TABLE ${s}.leases (
      shard text PRIMARY KEY,
      owner text NOT NULL,
      epoch bigint NOT NULL,
      expires_at bigint NOT NULL,
      acquired_at bigint NOT NULL
    );
    CREATE INDEX leases_by_owner ON ${s}.leases (owner);
    CREATE TABLE ${s}.commands (
      id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      target text NOT NULL,
      kind text NOT NULL,
      params json NOT NULL,
      requested_by text NOT NULL,
      created_at bigint NOT NULL,
      status text NOT NULL DEFAULT 'pending',
      result json,
      done_by text,
      done_at bigint
    );
    CREATE INDEX commands_pending ON ${s}.commands (target, id) WHERE status = 'pending';`,
  // Issue 16: refusals are one audit row per source and minute with a count, and the trail is
  // pruned by age and size. Existing rows stay, each counting one.
  (s) => `
    ALTER TABLE ${s}.audit ADD COLUMN count integer NOT NULL DEFAULT 1, ADD COLUMN source text;
    CREATE INDEX audit_by_at ON ${s}.audit (at);`,
  // Issue 15: a release's build digest, once its machines reported one (tags can be reused).
  (s) => `ALTER TABLE ${s}.releases ADD COLUMN image_digest text;`,
];

/** The schema version this build writes. */
export const PG_SCHEMA_VERSION = MIGRATIONS.length;

/** A lowercase SQL identifier, so it needs no quoting rules beyond the double quotes. */
const SCHEMA_NAME = /^[a-z_][a-z0-9_]{0,62}$/;

/** Returns the schema name double-quoted for SQL; throws WD_ERR_STORE_SCHEMA for anything else. */
export function quoteSchema(schema: string): string {
  if (!SCHEMA_NAME.test(schema)) throw new WD_ERR_STORE_SCHEMA(`schema name ${JSON.stringify(schema)} is not a lowercase SQL identifier`);
  return `"${schema}"`;
}

/** First key of the two-key advisory lock: "wd", so our locks don't collide with other apps'. */
const LOCK_CLASS = 0x7764;

/** FNV-1a of the schema name as a signed 32-bit int: one lock per schema, stable across versions. */
function lockKey(schema: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(schema, 'utf8')) hash = Math.imul(hash ^ byte, 0x01000193);
  return hash | 0;
}

/** Creates the schema if needed and applies pending migrations, exactly once across replicas. */
export async function migrate(pool: Pool, schema: string): Promise<void> {
  const s = quoteSchema(schema);
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    await client.query('SELECT pg_advisory_xact_lock($1, $2)', [LOCK_CLASS, lockKey(schema)]);
    // Only create what is missing: CREATE SCHEMA IF NOT EXISTS still needs CREATE on the
    // database, which a role given a pre-made schema by its DBA may lack.
    const exists = await client.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [schema]);
    if (exists.rowCount === 0) await client.query(`CREATE SCHEMA ${s}`);
    await client.query(
      `CREATE TABLE IF NOT EXISTS ${s}.schema_migrations (version integer PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await client.query<{ version: number }>(`SELECT coalesce(max(version), 0) AS version FROM ${s}.schema_migrations`);
    const current = rows[0]?.version ?? 0;
    if (current > MIGRATIONS.length) {
      throw new WD_ERR_STORE_SCHEMA(`schema ${schema} is at version ${current}, newer than this build knows (${MIGRATIONS.length})`);
    }
    for (let v = current; v < MIGRATIONS.length; v++) {
      await client.query((MIGRATIONS[v] as (s: string) => string)(s));
      await client.query(`INSERT INTO ${s}.schema_migrations (version) VALUES ($1)`, [v + 1]);
    }
    await client.query('COMMIT');
  } catch (err) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw err;
  } finally {
    client.release();
  }
}
