import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll } from 'vitest';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { storeContract } from './store-contract.ts';

// Files, not ':memory:', so the contract's reopen sees the same storage.
const dir = mkdtempSync(join(tmpdir(), 'wd-sqlite-contract-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

storeContract('SqliteStore', async (storage) => new SqliteStore(join(dir, `${storage}.db`)));
