import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { PROGRESS_WRITE_INTERVAL_MS } from '../../../src/guard/runner/target-runner.ts';
import { openRunner } from './open-runner.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import type { Store } from '../../../src/store/types.ts';
import { FakePlatform } from '../../fakes/fake-platform.ts';
import type { Probe } from '../../../src/config/schema.ts';
import type { ResolvedTarget } from '../../../src/config/resolve.ts';
import type { RatePoint } from '../../../src/guard/series.ts';
import type { CounterSource } from '../../../src/signals/types.ts';
import type { Measurement } from '../../../src/domain/measurement.ts';
import { errorRate, image, target } from '../step/fixtures.ts';

// The runner under fake timers: the loop's sleeps and the clock both advance only when we say so.
describe('TargetRunner', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  async function setup() {
    const opened = await openRunner();
    opened.runner.start();
    return opened;
  }

  it('guards, fails, rolls back once, verifies — with the decisions logged and journaled', async () => {
    const { platform, store, probe, runner, records } = await setup();
    await runner.pollReleases();
    await vi.advanceTimersByTimeAsync(target.guard.watchWindow + target.guard.probeInterval);
    expect(runner.state.phase).toBe('stable');
    expect((await store.listReleases('api'))[0]?.verdict).toBe('good');

    platform.release('api', image(2));
    probe.phase = 'failed';
    await runner.pollReleases();
    expect(runner.state.phase).toBe('guarding');
    await vi.advanceTimersByTimeAsync(target.guard.probeInterval * target.guard.failureThreshold);
    expect(platform.deploys.map((d) => d.imageRef)).toEqual([image(1)]);
    expect(platform.deploys[0]?.options.strategy).toBe('immediate');

    probe.phase = 'successful'; // the old image answers again
    await vi.advanceTimersByTimeAsync(target.guard.probeInterval * target.verify.successes);
    expect(runner.state.phase).toBe('rolled-back');
    expect(platform.deploys).toHaveLength(1);

    const releases = await store.listReleases('api');
    expect(releases.map((r) => [r.version, r.verdict, r.origin])).toEqual([
      [3, 'good', 'rollback'],
      [2, 'bad', 'deploy'],
      [1, 'good', 'deploy'],
    ]);
    const decisions = records.filter((r) => r.decision).map((r) => r.decision);
    expect(decisions).toEqual(['guard-started', 'guard-passed', 'guard-started', 'release-failed', 'rollback-started', 'rollback-release-seen', 'rollback-deployed', 'rollback-verified']);
    const failed = records.find((r) => r.decision === 'release-failed');
    expect(failed).toMatchObject({ target: 'api', version: 2, level: 40 });
    expect((await store.listJournal('api')).map((j) => j.kind)).toEqual([...decisions].reverse());
    await runner.stop(0);
  });

  it('starts the error-rate read of a round together with its probes, not after them (one burst of requests per round)', async () => {
    const platform = new FakePlatform();
    platform.release('api', image(1));
    const probeStarts: number[] = [];
    const readStarts: number[] = [];
    // A probe that answers after 800 ms of (fake) time.
    const runProbe = async (spec: Probe): Promise<Measurement> => {
      probeStarts.push(Date.now());
      await new Promise((resolve) => setTimeout(resolve, 800));
      return { check: spec.name, phase: 'successful', at: Date.now(), durationMs: 800, detail: '200 in 800ms' };
    };
    const counterSource: CounterSource = {
      type: 'fake',
      read: async () => {
        readStarts.push(Date.now());
        return { ok: false, phase: 'inconclusive', at: Date.now(), detail: 'no traffic yet' };
      },
    };
    const { runner } = await openRunner({ platform, runProbe, counterSource });
    runner.start();
    await runner.pollReleases();
    expect(runner.state.phase).toBe('guarding');
    await vi.advanceTimersByTimeAsync(target.guard.probeInterval * 3);
    expect(readStarts.length).toBeGreaterThanOrEqual(2);
    // Every read began at the moment a probe of the same round began.
    for (const at of readStarts) expect(probeStarts).toContain(at);
    // The round in flight ends when its probe answers: let fake time run while stopping.
    const stopped = runner.stop(0);
    await vi.advanceTimersByTimeAsync(1_000);
    await stopped;
  });

  it('reports the error-rate reading that fails a release, though it ends the guard', async () => {
    // A baseline of a minute is enough here (production asks for an hour: minBaselineSpan).
    const judged: ResolvedTarget = { ...target, errorRate: { ...errorRate, minBaselineSpan: 60_000 } };
    // Cumulative counters: 500 requests a round, with `errorsPerRound` of them errors.
    let requests = 0;
    let errors = 0;
    let errorsPerRound = 0;
    const counterSource: CounterSource = {
      type: 'fake',
      read: async () => {
        requests += 500;
        errors += errorsPerRound;
        return { ok: true, at: Date.now(), readings: [{ series: 'm1', requests, errors }], detail: '' };
      },
    };
    const platform = new FakePlatform();
    platform.release('api', image(1));
    const rates: RatePoint[] = [];
    const { runner } = await openRunner({ target: judged, platform, counterSource, onRate: (p) => rates.push(p) });
    runner.start();
    await runner.pollReleases();
    // v1 has no baseline to be judged by: it ends unproven at maxWindow, and its traffic is the baseline from then on.
    await vi.advanceTimersByTimeAsync(judged.errorRate!.maxWindow + judged.guard.probeInterval * 20);
    expect(runner.state.phase).toBe('stable');

    platform.release('api', image(2));
    errorsPerRound = 250; // half of every request fails
    await runner.pollReleases();
    expect(runner.state.phase).toBe('guarding');
    for (let i = 0; i < 10 && runner.state.phase === 'guarding'; i++) await vi.advanceTimersByTimeAsync(judged.guard.probeInterval);
    expect(runner.state.phase).not.toBe('guarding');
    // The reading that failed the release reached the chart, the last of v2's.
    expect(rates.filter((p) => p.version === 2).at(-1)).toEqual(expect.objectContaining({ phase: 'failed', rate: 0.5, baselineRate: 0 }));
    await runner.stop(0);
  });

  it('writes a probe round that decides nothing at most every PROGRESS_WRITE_INTERVAL_MS, a decision at once, and the rest at stop', async () => {
    const { store, probe, runner } = await setup();
    const storedRounds = async () => (await store.loadState('api'))?.guard?.tallies.health?.rounds ?? 0;
    const liveRounds = () => runner.state.guard?.tallies.health?.rounds ?? 0;
    await runner.pollReleases();
    expect(runner.state.phase).toBe('guarding');
    const interval = target.guard.probeInterval;
    expect(PROGRESS_WRITE_INTERVAL_MS).toBeGreaterThan(3 * interval);
    await vi.advanceTimersByTimeAsync(3 * interval);
    // The first round after the guard started is written; the next ones wait.
    expect(liveRounds()).toBeGreaterThanOrEqual(3);
    expect(await storedRounds()).toBeLessThan(liveRounds());
    await vi.advanceTimersByTimeAsync(PROGRESS_WRITE_INTERVAL_MS);
    expect(await storedRounds()).toBeGreaterThanOrEqual(liveRounds() - Math.ceil(PROGRESS_WRITE_INTERVAL_MS / interval));
    expect(await storedRounds()).toBeGreaterThan(1);
    // A decision is written at once, with every tally up to it.
    probe.phase = 'failed';
    await vi.advanceTimersByTimeAsync(interval * target.guard.failureThreshold);
    expect(runner.state.phase).not.toBe('guarding');
    expect((await store.loadState('api'))?.phase).toBe(runner.state.phase);
    await runner.stop(0);
    expect(await store.loadState('api')).toEqual(runner.state);
  });

  it('writes the unwritten tallies when it stops', async () => {
    const { store, runner } = await setup();
    await runner.pollReleases();
    await vi.advanceTimersByTimeAsync(3 * target.guard.probeInterval);
    expect(await store.loadState('api')).not.toEqual(runner.state);
    await runner.stop(0);
    expect(await store.loadState('api')).toEqual(runner.state);
  });

  it('ends rollback-failed when the deploy "succeeds" but a machine stays on another image', async () => {
    const { platform, probe, runner } = await setup();
    await runner.pollReleases();
    await vi.advanceTimersByTimeAsync(target.guard.watchWindow + target.guard.probeInterval);
    platform.release('api', image(2));
    platform.strayMachineImage = image(2);
    probe.phase = 'failed';
    await runner.pollReleases();
    await vi.advanceTimersByTimeAsync(target.guard.probeInterval * target.guard.failureThreshold);
    probe.phase = 'successful';
    await vi.advanceTimersByTimeAsync(target.verify.timeout + target.guard.probeInterval);
    expect(runner.state.phase).toBe('rollback-failed');
    expect(runner.state.reason).toMatch(/1 of 2 machines on another image \(m2\)/);
    expect(platform.deploys).toHaveLength(1);
    await runner.stop(0);
  });

  it('takes no action when listing releases fails', async () => {
    const { platform, runner, records } = await setup();
    platform.failListWith = Object.assign(new Error('fly releases --app api exited 1: Error: boom'), { code: 'WD_ERR_PLATFORM_COMMAND_FAILED' });
    await runner.pollReleases();
    expect(runner.state.phase).toBe('idle');
    expect(runner.hasPolled).toBe(false);
    expect(records.find((r) => r.msg === 'could not list releases; no action taken')).toMatchObject({
      level: 50,
      err: { code: 'WD_ERR_PLATFORM_COMMAND_FAILED' },
    });
    expect(platform.deploys).toEqual([]);
    await runner.stop(0);
  });

  it('resumes a saved guard after a restart instead of starting over', async () => {
    const { platform, store, runner } = await setup();
    await runner.pollReleases();
    await vi.advanceTimersByTimeAsync(30_000);
    await runner.stop(0);
    const guard = runner.state.guard;
    const { runner: again } = await openRunner({ platform, store });
    expect(again.state.phase).toBe('guarding');
    expect(again.state.guard).toEqual(guard);
    again.start();
    await vi.advanceTimersByTimeAsync(30_000 + target.guard.probeInterval);
    expect(again.state.phase).toBe('stable'); // the window counted from the original start
    await again.stop(0);
  });

  async function failingV2WithHeldDeploy() {
    const ctx = await setup();
    await ctx.runner.pollReleases();
    await vi.advanceTimersByTimeAsync(target.guard.watchWindow + target.guard.probeInterval);
    ctx.platform.release('api', image(2));
    await ctx.runner.pollReleases();
    ctx.platform.holdDeploys = true;
    ctx.probe.phase = 'failed';
    await vi.advanceTimersByTimeAsync(target.guard.probeInterval * target.guard.failureThreshold);
    expect(ctx.runner.state.phase).toBe('rolling-back');
    expect(ctx.platform.deploys).toHaveLength(1);
    return ctx;
  }

  it('never issues a second deploy while one is in flight, however often it polls', async () => {
    const { platform, runner } = await failingV2WithHeldDeploy();
    for (let i = 0; i < 5; i++) {
      await runner.pollReleases();
      await vi.advanceTimersByTimeAsync(target.rollback.reissueAfter);
    }
    expect(platform.deploys).toHaveLength(1);
    platform.finishDeploys();
    await vi.advanceTimersByTimeAsync(0);
    expect(runner.state.phase).toBe('verifying');
    await runner.stop(0);
  });

  it('on stop, lets an in-flight deploy finish within the grace period and records its result', async () => {
    const { platform, runner, store } = await failingV2WithHeldDeploy();
    const stopped = runner.stop(10_000);
    await vi.advanceTimersByTimeAsync(1_000);
    platform.finishDeploys();
    await vi.advanceTimersByTimeAsync(0);
    await stopped;
    expect((await store.loadState('api'))?.phase).toBe('verifying');
  });

  it('on stop, leaves a deploy that outlasts the grace period recorded as issued', async () => {
    const { runner, store } = await failingV2WithHeldDeploy();
    const stopped = runner.stop(5_000);
    await vi.advanceTimersByTimeAsync(5_000);
    await stopped;
    const saved = await store.loadState('api');
    expect(saved).toMatchObject({ phase: 'rolling-back', rollback: { issuedAt: expect.any(Number), attempts: 1 } });
  });
});

// Several replicas: a runner acts only under a lease it can prove, and stops dead when fenced.
describe('TargetRunner under a lease', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  async function setup() {
    const store = new SqliteStore(':memory:');
    const lease = { current: { shard: 'api', owner: 'A', epoch: 1 } as { shard: string; owner: string; epoch: number } | undefined };
    const saved: unknown[] = [];
    const saveTransition = store.saveTransition.bind(store);
    const recording: Store['saveTransition'] = async (t, now, fence) => {
      saved.push(fence);
      return saveTransition(t, now);
    };
    Object.assign(store, { saveTransition: recording });
    const { runner, platform, probe } = await openRunner({ store, lease: () => lease.current });
    runner.start();
    return { platform, store, probe, runner, lease, saved };
  }

  it('writes every transition with its fence token', async () => {
    const { runner, saved } = await setup();
    await runner.pollReleases();
    expect(saved.length).toBeGreaterThan(0);
    expect(saved.every((f) => JSON.stringify(f) === JSON.stringify({ shard: 'api', owner: 'A', epoch: 1 }))).toBe(true);
    await runner.stop(0);
  });

  it('without a provable lease it writes nothing and so does nothing', async () => {
    const { runner, store, lease, platform } = await setup();
    lease.current = undefined;
    await runner.pollReleases();
    expect(runner.state.phase).toBe('idle');
    expect(await store.listJournal('api')).toEqual([]);
    expect(platform.deploys).toEqual([]);
    await runner.stop(0);
  });

  it('fenced mid-rollback: the deploy is killed and nothing more is recorded or deployed', async () => {
    const { runner, store, probe, platform } = await setup();
    await runner.pollReleases();
    await vi.advanceTimersByTimeAsync(target.guard.watchWindow + target.guard.probeInterval);
    platform.release('api', image(2));
    probe.phase = 'failed';
    platform.holdDeploys = true;
    await runner.pollReleases();
    await vi.advanceTimersByTimeAsync(target.guard.probeInterval * target.guard.failureThreshold);
    expect(runner.state.phase).toBe('rolling-back');
    expect(platform.deploys).toHaveLength(1);
    const journalBefore = (await store.listJournal('api')).length;

    runner.fence('lease fenced');
    expect(platform.deploys[0]?.options.signal?.aborted).toBe(true);
    await vi.advanceTimersByTimeAsync(target.guard.probeInterval * 20 + target.rollback.retryBackoff * 4);
    // The failed deploy result was not recorded, no retry was issued: the next owner carries on
    // from the stored state (rolling back, deploy issued), which recovery already handles.
    expect(platform.deploys).toHaveLength(1);
    expect((await store.listJournal('api')).length).toBe(journalBefore);
    expect((await store.loadState('api'))?.phase).toBe('rolling-back');
    await runner.stop(0);
  });
});
