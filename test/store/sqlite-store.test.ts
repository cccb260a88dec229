import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/domain/target-state.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';

const rel = (version: number, status = 'complete') => ({
  version,
  imageRef: `registry.fly.io/api:deployment-${version}`,
  status,
  createdAt: version * 1000,
  user: 'ci@example.com',
  description: 'Release',
});

describe('SqliteStore', () => {
  it('keeps verdicts when releases are synced again, and refreshes status', async () => {
    const store = new SqliteStore(':memory:');
    await store.syncReleases('api', [rel(2, 'running'), rel(1)], 10);
    await store.setVerdict('api', 1, 'good', 'window passed', 20);
    await store.syncReleases('api', [rel(2), rel(1)], 30);
    const [v2, v1] = await store.listReleases('api');
    expect(v2).toMatchObject({ version: 2, status: 'complete', verdict: 'pending', origin: 'deploy', firstSeenAt: 10 });
    expect(v1).toMatchObject({ version: 1, verdict: 'good', verdictReason: 'window passed', verdictAt: 20 });
  });

  it('applies a transition atomically and keeps targets apart', async () => {
    const store = new SqliteStore(':memory:');
    await store.syncReleases('api', [rel(1)], 0);
    await store.syncReleases('worker', [rel(1)], 0);
    const state = { ...initialState('api', 5), phase: 'rolling-back' as const };
    await store.saveTransition(
      {
        state,
        verdicts: [{ version: 1, verdict: 'bad', reason: 'ready failed' }],
        origins: [{ version: 1, origin: 'rollback' }],
        journal: [{ target: 'api', at: 5, kind: 'release-failed', message: 'v1 failed', data: { x: 1 } }],
        openIncidents: [],
        closeIncidents: [],
      },
      5,
    );
    expect(await store.loadState('api')).toEqual(state);
    expect(await store.loadState('worker')).toBeUndefined();
    expect((await store.listReleases('api'))[0]).toMatchObject({ verdict: 'bad', origin: 'rollback' });
    expect((await store.listReleases('worker'))[0]).toMatchObject({ verdict: 'pending', origin: 'deploy' });
    expect(await store.listJournal('api')).toEqual([{ id: 1, target: 'api', at: 5, kind: 'release-failed', message: 'v1 failed', data: { x: 1 } }]);
  });

  it('survives a reopen: verdicts and state are on disk', async () => {
    const path = join(mkdtempSync(join(tmpdir(), 'wd-store-')), 'nested', 'watchdog.db');
    const first = new SqliteStore(path);
    await first.syncReleases('api', [rel(3)], 0);
    await first.setVerdict('api', 3, 'bad', 'down', 1);
    await first.saveState({ ...initialState('api', 1), lastSeenVersion: 3 }, 1);
    await first.close();
    const second = new SqliteStore(path);
    expect((await second.listReleases('api'))[0]?.verdict).toBe('bad');
    expect((await second.loadState('api'))?.lastSeenVersion).toBe(3);
    await second.close();
  });
});

describe('SqliteStore audit and controls', () => {
  it('keeps the audit trail newest first, without empty fields', async () => {
    const store = new SqliteStore(':memory:');
    await store.appendAudit({ at: 1, actor: 'ops', role: 'operator', action: 'pause', target: 'api', params: { reason: 'x' }, status: 202, result: 'paused' });
    await store.appendAudit({ at: 2, actor: 'ops', role: 'operator', action: 'resume', status: 202, result: 'resumed' });
    expect(await store.listAudit()).toEqual([
      { id: 2, at: 2, actor: 'ops', role: 'operator', action: 'resume', status: 202, result: 'resumed' },
      { id: 1, at: 1, actor: 'ops', role: 'operator', action: 'pause', target: 'api', params: { reason: 'x' }, status: 202, result: 'paused' },
    ]);
  });

  it('stores controls per scope', async () => {
    const store = new SqliteStore(':memory:');
    await store.saveControls('*', { paused: true, by: 'ops' }, 1);
    await store.saveControls('api', { mode: 'approve' }, 2);
    await store.saveControls('*', { paused: false, by: 'ops' }, 3);
    expect(await store.loadControls()).toEqual({ '*': { paused: false, by: 'ops' }, api: { mode: 'approve' } });
  });
});
