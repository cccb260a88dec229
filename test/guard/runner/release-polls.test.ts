/**
 * Release polls against a platform that fingerprints releases (on Fly: the Machines API): a
 * scheduled poll lists releases (a flyctl process) only when the fingerprint moved, a release is
 * still deploying, the last listing is too old, or the caller wants a fresh look.
 */
import { openRunner } from './open-runner.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RELIST_AFTER_MS } from '../../../src/guard/runner/target-runner.ts';
import { noopMetrics, type WatchdogMetrics } from '../../../src/metrics/recorder.ts';
import { FakePlatform } from '../../fakes/fake-platform.ts';
import type { LeaseFence } from '../../../src/domain/lease.ts';
import { image, target } from '../step/fixtures.ts';

describe('release polls with a fingerprint', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  async function setup(extra: { lease?: () => LeaseFence | undefined; startOffsetMs?: number } = {}) {
    const platform = new FakePlatform();
    platform.fingerprints = true;
    platform.release('api', image(1));
    const polls: string[] = [];
    const errors: string[] = [];
    const metrics: WatchdogMetrics = { ...noopMetrics, incReleasePoll: (r) => polls.push(r), incPlatformError: (c) => errors.push(c) };
    const { runner, store, records } = await openRunner({ platform, metrics, ...extra });
    return { platform, store, runner, records, polls, errors };
  }

  it('lists once, then not again while the machines show the same release', async () => {
    const { platform, runner, polls } = await setup();
    await runner.pollReleases();
    await runner.pollReleases();
    await runner.pollReleases();
    expect(platform.listCalls).toBe(1);
    expect(polls).toEqual(['listed', 'unchanged', 'unchanged']);
    expect(runner.state.phase).not.toBe('idle');
    await runner.stop(0);
  });

  it('lists, and starts guarding, as soon as a new release goes live on the machines', async () => {
    const { platform, runner, store } = await setup();
    await runner.pollReleases();
    platform.release('api', image(2));
    await runner.pollReleases();
    expect(platform.listCalls).toBe(2);
    expect(runner.state.phase).toBe('guarding');
    expect((await store.listReleases('api'))[0]?.version).toBe(2);
    await runner.stop(0);
  });

  it('keeps listing while a release is running, whose status moves without the machines changing', async () => {
    const { platform, runner } = await setup();
    platform.release('api', image(2), 'running');
    await runner.pollReleases();
    await runner.pollReleases();
    expect(platform.listCalls).toBe(2);
    platform.releases.get('api')![0]!.status = 'failed'; // failed before any machine took it
    await runner.pollReleases();
    await runner.pollReleases();
    expect(platform.listCalls).toBe(3);
    await runner.stop(0);
  });

  // Relists are spread by the target's place in the probe schedule: first place after all of
  // relistAfter, half-way through the interval after 3/4 of it.
  it.each([
    { where: 'first in the probe schedule', startOffsetMs: 0, share: 1 },
    { where: 'half-way through the probe interval', startOffsetMs: target.guard.probeInterval / 2, share: 0.75 },
  ])('lists again with nothing changed once the last listing is old enough: a target $where relists after $share × relistAfter', async ({ startOffsetMs, share }) => {
    const { platform, runner } = await setup({ startOffsetMs });
    await runner.pollReleases();
    await vi.advanceTimersByTimeAsync(RELIST_AFTER_MS * share - 1);
    await runner.pollReleases();
    expect(platform.listCalls).toBe(1);
    await vi.advanceTimersByTimeAsync(1);
    await runner.pollReleases();
    expect(platform.listCalls).toBe(2);
    await runner.stop(0);
  });

  it('lists on a fresh poll (a deploy was announced) at once, without waiting for the machines', async () => {
    const { platform, runner } = await setup();
    await runner.pollReleases();
    await runner.pollReleases({ fresh: true });
    expect(platform.listCalls).toBe(2);
    expect(platform.fingerprintCalls).toBe(1);
    // It recorded no fingerprint: the next scheduled poll lists once more and takes one.
    await runner.pollReleases();
    await runner.pollReleases();
    expect(platform.listCalls).toBe(3);
    await runner.stop(0);
  });

  it('lists again after a listing whose step failed (a lease lost for a moment), rather than trust the machines', async () => {
    let fence: LeaseFence | undefined;
    const { platform, runner, records } = await setup({ lease: () => fence });
    await runner.pollReleases();
    expect(records.some((r) => r.msg === 'guard step not written: the lease is gone')).toBe(true);
    expect(runner.state.phase).toBe('idle');
    fence = { shard: 's', owner: 'me', epoch: 1 };
    await runner.pollReleases();
    expect(platform.listCalls).toBe(2);
    expect(runner.state.phase).not.toBe('idle');
    await runner.stop(0);
  });


  it('lists when the fingerprint cannot be read, and counts and logs the failure', async () => {
    const { platform, runner, errors, records } = await setup();
    await runner.pollReleases();
    platform.failFingerprintWith = Object.assign(new Error('GET /v1/apps/api/machines: ECONNREFUSED'), { code: 'WD_ERR_PLATFORM_API_FAILED' });
    await runner.pollReleases();
    expect(platform.listCalls).toBe(2);
    expect(errors).toEqual(['machines']);
    expect(records.find((r) => r.msg === 'could not read the machines; listing releases instead')).toMatchObject({ level: 40, err: { code: 'WD_ERR_PLATFORM_API_FAILED' } });
    // And it does not trust the fingerprint it could not pair with a listing: the next poll lists too.
    platform.failFingerprintWith = undefined;
    await runner.pollReleases();
    expect(platform.listCalls).toBe(3);
    await runner.pollReleases();
    expect(platform.listCalls).toBe(3);
    await runner.stop(0);
  });

  it('does not skip after a listing that failed', async () => {
    const { platform, runner } = await setup();
    platform.failListWith = new Error('flyctl exit 1');
    await runner.pollReleases();
    platform.failListWith = undefined;
    await runner.pollReleases();
    expect(platform.listCalls).toBe(2);
    expect(runner.state.phase).not.toBe('idle');
    await runner.stop(0);
  });

  it('a listing killed by shutdown is neither logged as an error nor counted', async () => {
    const { platform, runner, errors, records } = await setup();
    let started!: () => void;
    const listing = new Promise<void>((resolve) => (started = resolve));
    platform.listReleases = (_app: string, signal?: AbortSignal) =>
      new Promise((_resolve, reject) => {
        started();
        signal?.addEventListener('abort', () => reject(Object.assign(new Error('fly releases was aborted'), { code: 'WD_ERR_PLATFORM_ABORTED' })));
      });
    const poll = runner.pollReleases();
    await listing;
    await runner.stop(0);
    await poll;
    expect(errors).toEqual([]);
    expect(records.filter((r) => r.msg === 'could not list releases; no action taken')).toEqual([]);
  });

  it('lists every time on a platform without fingerprints', async () => {
    const { platform, runner, polls } = await setup();
    platform.fingerprints = false;
    await runner.pollReleases();
    await runner.pollReleases();
    expect(platform.listCalls).toBe(2);
    expect(polls).toEqual(['listed', 'listed']);
    await runner.stop(0);
  });
});
