/**
 * Two Watchdogs sharing one store, a fake lease table and a fake command queue, on fake timers:
 * shards are split between them, each target has one runner in one of them, an action taken on
 * the other one is carried out by the owner, and a dead owner's targets are taken over.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/infra/clock.ts';
import { LeaseManager } from '../../src/ha/lease-manager.ts';
import { Watchdog } from '../../src/guard/watchdog.ts';
import { noopMetrics } from '../../src/metrics/recorder.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { FakeCommandQueue } from '../fakes/command-queue.ts';
import { FakeLeaseTable } from '../fakes/lease-table.ts';
import { FakePlatform } from '../fakes/fake-platform.ts';
import { captureLogger } from '../fakes/logger.ts';
import { ScriptedProbe } from '../fakes/scripted-probe.ts';
import { image, target } from './step/fixtures.ts';

const TTL = 3_000;
const targets = ['api', 'worker', 'jobs', 'web'].map((name) => ({ ...target, name, app: name }));

describe('Watchdog with replicas', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  async function cluster() {
    const store = new SqliteStore(':memory:');
    const platform = new FakePlatform();
    for (const t of targets) platform.release(t.app, image(1));
    const table = new FakeLeaseTable(() => Date.now());
    const commands = new FakeCommandQueue();
    const probe = new ScriptedProbe();
    const managers = new Map<string, LeaseManager>();
    async function replica(id: string) {
      const watchdog = await Watchdog.open({
        targets,
        pollSchedule: '0 0 1 1 *',
        platform,
        store,
        signals: probe.signals,
        clock: systemClock,
        logger: captureLogger().logger,
        metrics: noopMetrics,
        postmortemAfterMs: 300_000,
        replication: {
          commands,
          commandPollMs: 50,
          forwardTimeoutMs: 2_000,
          leases: (hooks, shards) => {
            const m = new LeaseManager({ ...hooks, table, replicaId: id, shards, ttlMs: TTL, clock: systemClock, monotonic: () => Date.now(), logger: captureLogger().logger });
            managers.set(id, m);
            return m;
          },
        },
      });
      await watchdog.start();
      return watchdog;
    }
    const a = await replica('A');
    const b = await replica('B');
    await vi.advanceTimersByTimeAsync(TTL / 3 + 10); // the joining round, then acquisition
    return { store, platform, table, commands, a, b, managers };
  }

  it('splits the targets: each has one runner, in one replica, and both answer for all of them', async () => {
    const { a, b, table } = await cluster();
    expect(a.guarded().length + b.guarded().length).toBe(4);
    expect(a.guarded().filter((t) => b.guarded().includes(t))).toEqual([]);
    expect(a.guarded()).toHaveLength(2);
    expect(table.validOwners().size).toBe(4);
    expect(a.ready && b.ready).toBe(true);
    expect((await a.summaries()).map((s) => s.name)).toEqual(['api', 'worker', 'jobs', 'web']);
    expect((await b.summaries()).every((s) => s.phase === 'guarding')).toBe(true);
    await a.stop(0);
    await b.stop(0);
  });

  it('a deploy notice lists releases at once on whichever replica guards the target, though the machines show no change yet', async () => {
    const { a, b, platform } = await cluster();
    platform.fingerprints = true;
    await a.pollAll();
    await b.pollAll();
    const local = a.guarded()[0] as string;
    const remote = b.guarded()[0] as string;
    // Releases still rolling out: the fingerprint (the live release) has not moved.
    for (const name of [local, remote]) platform.release(name, image(2), 'running');
    await a.pollAll();
    await b.pollAll();
    const before = platform.listCalls;
    expect(before).toBeGreaterThan(0);
    await a.pollTarget(local);
    await a.pollTarget(remote); // forwarded to B
    await vi.advanceTimersByTimeAsync(200);
    expect(platform.listCalls).toBe(before + 2);
    // Each owner's own view (a step that only moves `current` is not written at once).
    const current = async (owner: typeof a, name: string) => (await owner.summaries()).find((s) => s.name === name)?.current;
    expect(await current(a, local)).toMatchObject({ version: 2, status: 'running' });
    expect(await current(b, remote)).toMatchObject({ version: 2, status: 'running' });
    await a.stop(0);
    await b.stop(0);
  });

  it('an action on a target guarded by the other replica is carried out there', async () => {
    const { a, b, store, commands } = await cluster();
    const remote = b.guarded()[0] as string;
    expect(a.guards(remote)).toBe(false);
    const acting = a.act(remote, { kind: 'abort', by: 'ops' });
    await vi.advanceTimersByTimeAsync(300);
    const after = await acting;
    expect(after).toMatchObject({ applied: true, state: { phase: 'idle' } });
    expect(b.runner(remote).state.phase).toBe('idle');
    expect(commands.rows).toMatchObject([{ target: remote, kind: 'abort', requestedBy: 'ops', status: 'done', claimedBy: 'B' }]);
    expect((await store.listJournal(remote)).map((j) => j.kind)).toContain('guard-aborted');
    // A hand mark through A lands on the release, written by B's runner.
    const marking = a.act(remote, { kind: 'mark', version: 1, verdict: 'bad', by: 'ops' });
    await vi.advanceTimersByTimeAsync(300);
    await marking;
    expect((await store.listReleases(remote))[0]).toMatchObject({ version: 1, verdict: 'bad', verdictReason: 'marked bad by ops' });
    await a.stop(0);
    await b.stop(0);
  });

  it('times out a forwarded action nobody carries out, and withdraws it', async () => {
    const { a, b, commands } = await cluster();
    const remote = b.guarded()[0] as string;
    // B keeps its leases but never picks its commands up (stalled on something else).
    const claim = commands.claim.bind(commands);
    commands.claim = async (replica, ts, limit) => (replica === 'B' ? [] : claim(replica, ts, limit));
    const acting = a.act(remote, { kind: 'abort', by: 'ops' });
    const settled = expect(acting).rejects.toMatchObject({ code: 'WD_ERR_FORWARD_TIMEOUT', statusCode: 504 });
    await vi.advanceTimersByTimeAsync(2_500);
    await settled;
    expect(commands.rows.at(-1)?.status).toBe('cancelled');
    expect(b.runner(remote).state.phase).toBe('guarding');
    await a.stop(0);
    await b.stop(0);
  });

  it('takes over a dead replica’s targets within the lease time, from the stored state', async () => {
    const { a, b, managers } = await cluster();
    const fromB = b.guarded();
    // B dies without a word: its loops stop, its leases stay until they expire.
    await managers.get('B')?.halt();
    const diedAt = Date.now();
    await vi.advanceTimersByTimeAsync(TTL + TTL / 3 + 10);
    expect(a.guarded().sort()).toEqual(targets.map((t) => t.name).sort());
    for (const name of fromB) {
      expect(a.runner(name).state.phase).toBe('guarding');
      const lines = await a.releases(name);
      expect(lines.length).toBeGreaterThan(0);
    }
    expect(Date.now() - diedAt).toBeLessThanOrEqual(TTL + TTL / 3 + 10);
    await a.stop(0);
  });
});
