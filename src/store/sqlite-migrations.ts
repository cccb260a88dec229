/**
 * SqliteStore's schema, as the migrations that build it: `PRAGMA user_version` is how many have
 * run. Kept apart from the store so its statements stay readable beside the queries.
 */
import type { DatabaseSync } from 'node:sqlite';
import { WD_ERR_STORE_SCHEMA } from '../infra/errors.ts';
import { AUDIT_COUNT_MIGRATION } from './sqlite-audit.ts';

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
  // A release's build digest, once its machines reported one (tags can be reused).
  `ALTER TABLE releases ADD COLUMN image_digest TEXT;`,
];

/**
 * Applies the migrations `db` has not run yet, each in its own transaction (`transaction` runs its
 * work in one). Refuses a database a newer build has migrated further.
 */
export function migrate(db: DatabaseSync, transaction: (work: () => void) => void): void {
  const { user_version: current } = db.prepare('PRAGMA user_version').get() as { user_version: number };
  if (current > MIGRATIONS.length) {
    throw new WD_ERR_STORE_SCHEMA(`database is at version ${current}, newer than this build knows (${MIGRATIONS.length})`);
  }
  for (let v = current; v < MIGRATIONS.length; v++) {
    transaction(() => {
      db.exec(MIGRATIONS[v] as string);
      db.exec(`PRAGMA user_version = ${v + 1}`);
    });
  }
}
