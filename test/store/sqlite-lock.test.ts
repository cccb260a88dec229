/**
 * SqliteStore under a lock another connection holds (issue 16): no call may block the event loop
 * while it waits, every write lands once the lock clears, in the order the calls were made, and a
 * write that waits past the bound fails loudly instead of hanging.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { initialState, type TargetState } from '../../src/domain/target-state.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { AuditEntry, Transition } from '../../src/store/types.ts';
import { rel } from './store-contract.ts';
import { ExternalLock, watchLoopStalls } from './external-lock.ts';

const dir = mkdtempSync(join(tmpdir(), 'wd-sqlite-lock-'));
let counter = 0;
let cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
  cleanups = [];
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A store on a new file, and a second connection on the same file ready to lock it. */
function open(options?: ConstructorParameters<typeof SqliteStore>[1]) {
  const path = join(dir, `lock-${++counter}.db`);
  const store = new SqliteStore(path, options);
  const lock = new ExternalLock(path);
  cleanups.push(async () => {
    lock.close();
    await store.close();
  });
  return { store, lock };
}

const audit = (action: string): AuditEntry => ({ at: 1, actor: 'ops', role: 'operator', action, target: 'api', status: 200, result: 'ok' });

const transition = (state: TargetState, kind: string): Transition => ({
  state,
  verdicts: [],
  origins: [],
  journal: [{ target: state.target, at: 5, kind, message: kind }],
  openIncidents: [],
  closeIncidents: [],
});

/** Settles `pending` to its value, or to the error it failed with (never an unhandled rejection). */
const settle = <T>(pending: Promise<T>) => pending.then((value) => ({ value }), (error: unknown) => ({ error }));

describe('SqliteStore under a lock held by another connection', () => {
  it('a write waits without blocking the event loop, and lands once the lock clears', async () => {
    const { store, lock } = open();
    lock.take();
    const stalls = watchLoopStalls();
    const written = settle(store.appendAudit(audit('pause')));
    await sleep(300);
    const longest = stalls.stop();
    expect(longest).toBeLessThan(200);
    lock.release();
    expect(await written).toEqual({ value: undefined });
    expect((await store.listAudit()).map((e) => e.action)).toEqual(['pause']);
  });

  it('calls made during the lock are written after it, each whole, in the order they were made', async () => {
    const { store, lock } = open();
    await store.syncReleases('api', [rel(1), rel(2)], 0);
    lock.take();
    const failed = { ...initialState('api', 5), phase: 'rolling-back' as const };
    const started = { ...failed, lastSeenVersion: 2 };
    const calls = [
      store.saveTransition({ ...transition(failed, 'release-failed'), verdicts: [{ version: 2, verdict: 'bad', reason: 'down' }] }, 5),
      store.appendAudit(audit('pause')),
      store.appendJournal({ target: 'api', at: 6, kind: 'note', message: 'between' }),
      store.saveControls('api', { paused: true, by: 'ops' }, 6),
      store.saveTransition(transition(started, 'rollback-started'), 7),
      store.appendAudit(audit('resume')),
    ].map(settle);
    await sleep(300);
    lock.release();
    for (const outcome of await Promise.all(calls)) expect(outcome).not.toHaveProperty('error');
    expect((await store.listJournal('api')).map((e) => e.kind).reverse()).toEqual(['release-failed', 'note', 'rollback-started']);
    expect((await store.listAudit()).map((e) => e.action).reverse()).toEqual(['pause', 'resume']);
    expect(await store.loadState('api')).toEqual(started);
    expect((await store.listReleases('api'))[0]).toMatchObject({ version: 2, verdict: 'bad' });
    expect(await store.loadControls()).toEqual({ api: { paused: true, by: 'ops' } });
  });

  it('reads go on beside the lock (WAL), and a release sync that changes nothing does not wait for it', async () => {
    const { store, lock } = open();
    await store.syncReleases('api', [rel(2), rel(1)], 0);
    await store.appendAudit(audit('pause'));
    lock.take();
    const stalls = watchLoopStalls();
    const outcome = await Promise.race([
      (async () => {
        await store.syncReleases('api', [rel(2), rel(1)], 1);
        return { releases: (await store.listReleases('api')).length, audit: (await store.listAudit()).length };
      })(),
      sleep(1_000).then(() => 'still waiting'),
    ]);
    expect(stalls.stop()).toBeLessThan(200);
    expect(outcome).toEqual({ releases: 2, audit: 1 });
  });

  it('a write that waits past the bound fails loudly; the writes after it still land once the lock clears', async () => {
    const { store, lock } = open({ maxLockWaitMs: 300 });
    lock.take();
    const first = settle(store.appendAudit(audit('pause')));
    await sleep(500);
    expect(await first).toMatchObject({ error: { code: 'WD_ERR_STORE_LOCKED' } });
    const second = settle(store.appendAudit(audit('resume')));
    lock.release();
    expect(await second).toEqual({ value: undefined });
    expect((await store.listAudit()).map((e) => e.action)).toEqual(['resume']);
  });

  it('says when writes have waited longer than stallAfterMs, and again when one lands', async () => {
    const events: string[] = [];
    const { store, lock } = open({ stallAfterMs: 100, lockWait: { stalled: () => events.push('stalled'), recovered: () => events.push('recovered') } });
    await store.appendAudit(audit('before'));
    expect(events).toEqual([]);
    lock.take();
    const written = settle(store.appendAudit(audit('pause')));
    const alsoWritten = settle(store.appendAudit(audit('resume')));
    await sleep(400);
    expect(events).toEqual(['stalled']);
    lock.release();
    await Promise.all([written, alsoWritten]);
    expect(events).toEqual(['stalled', 'recovered']);
  });

  it('close() writes what is still waiting before it closes', async () => {
    const { store, lock } = open();
    lock.take();
    const written = settle(store.appendAudit(audit('pause')));
    const closed = store.close();
    await sleep(200);
    lock.release();
    await closed;
    expect(await written).toEqual({ value: undefined });
    const again = new SqliteStore(join(dir, `lock-${counter}.db`));
    cleanups.push(() => again.close());
    expect((await again.listAudit()).map((e) => e.action)).toEqual(['pause']);
  });
});
