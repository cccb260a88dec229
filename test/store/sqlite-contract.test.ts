import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { DatabaseSync } from 'node:sqlite';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { storeContract } from './store-contract.ts';

// Files, not ':memory:', so the contract's reopen sees the same storage.
const dir = mkdtempSync(join(tmpdir(), 'wd-sqlite-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const file = (storage: string) => join(dir, `${storage}.db`);

/** Back to the schema before issue 16: the audit table without count and source, the releases without a digest, two versions lower. */
async function toPreviousAuditSchema(storage: string): Promise<void> {
  const db = new DatabaseSync(file(storage));
  try {
    const { user_version: version } = db.prepare('PRAGMA user_version').get() as { user_version: number };
    db.exec(`ALTER TABLE releases DROP COLUMN image_digest; DROP INDEX audit_by_at; ALTER TABLE audit DROP COLUMN count; ALTER TABLE audit DROP COLUMN source; PRAGMA user_version = ${version - 2};`);
  } finally {
    db.close();
  }
}

storeContract('SqliteStore', async (storage) => new SqliteStore(file(storage)), toPreviousAuditSchema);
