/**
 * Issue 16: another process locks the daemon's SQLite file in the middle of a rollback. The daemon
 * must stay up and answer (/healthz, an operator action) while the lock holds, say so on /readyz,
 * and once the lock clears write everything it was asked to (decisions, the audit entry) and finish
 * the rollback exactly once. Real daemon process, simulator on 127.0.0.1.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { ExternalLock } from '../store/external-lock.ts';
import { ROLLBACK_OVER, Stack, storedIncident } from './stack.ts';

const APP = 'renderflow-api';
const OTHER = 'renderflow-worker';
/** Longer than the old busy timeout (5 s) and the rollback's reissueAfter (3 s). */
const LOCK_MS = 7_000;
/** Generous against a loaded 2-core machine: a stalled event loop answers in seconds, not this. */
const HEALTHZ_BOUND_MS = 500;

let stack: Stack | undefined;
let lock: ExternalLock | undefined;

afterEach(async () => {
  lock?.close();
  lock = undefined;
  await stack?.close();
  stack = undefined;
});

const flyDeploys = (s: Stack) => s.sim.invocations().filter((i) => i.argv[0] === 'deploy');

/** GET /healthz every `everyMs` until stopped; each sample is its answer time in ms (a failure counts as Infinity). */
function sampleHealthz(url: string, everyMs = 100): { stop: () => Promise<number[]> } {
  const samples: number[] = [];
  let running = true;
  const loop = (async () => {
    while (running) {
      const started = performance.now();
      try {
        const res = await request(`${url}/healthz`);
        await res.body.text();
        samples.push(res.statusCode === 200 ? performance.now() - started : Number.POSITIVE_INFINITY);
      } catch {
        samples.push(Number.POSITIVE_INFINITY);
      }
      await sleep(Math.max(0, everyMs - (performance.now() - started)));
    }
  })();
  return {
    stop: async () => {
      running = false;
      await loop;
      return samples;
    },
  };
}

const percentile = (sorted: readonly number[], q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;

/** What /readyz says, as its reasons. */
async function readyReasons(s: Stack): Promise<string[]> {
  const { body } = await s.daemon.api<{ reasons?: { reason: string }[] }>('/readyz');
  return (body.reasons ?? []).map((r) => r.reason);
}

async function expectRolledBackOnce(s: Stack, good: string): Promise<void> {
  const t = await s.daemon.waitForTarget(APP, (x) => ROLLBACK_OVER.includes(x.phase), 30_000, 'rollback after the lock');
  expect(t.phase).toBe('rolled-back');
  expect(flyDeploys(s)).toHaveLength(1);
  expect(s.sim.currentImage(APP)).toBe(good);
  // Every write waited for the lock instead of failing: no step dropped, no evidence lost.
  const failedWrites = s.daemon.records.filter((r) => r.msg === 'guard step failed; state unchanged' || JSON.stringify(r.err ?? '').includes('database is locked'));
  expect(failedWrites.map((r) => r.msg)).toEqual([]);
  // Still up: it answers, and stops cleanly on SIGTERM (exit 0) rather than having died on its own.
  expect((await s.daemon.api('/healthz')).status).toBe(200);
  expect(await s.daemon.kill('SIGTERM')).toBe(0);
  const { incident, timeline } = await storedIncident(s, APP);
  expect(incident).toMatchObject({ status: 'closed', outcome: 'rolled-back' });
  expect(incident?.evidence.map((e) => e.kind)).toContain('fly-logs');
  expect(timeline).toEqual(expect.arrayContaining(['release-failed', 'rollback-started', 'rollback-deployed', 'rollback-verified']));
}

describe('an external lock on the SQLite store', () => {
  it('in the middle of a rollback: the daemon stays up, and the rollback completes exactly once when it clears', async () => {
    const s = (stack = await Stack.start({ apps: [APP], deployMs: 1_000 }));
    await s.daemon.waitForTarget(APP, (t) => t.phase === 'stable', 15_000, 'v1 marked good');
    const good = s.sim.currentImage(APP);
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    await s.daemon.waitForLog((r) => r.decision === 'rollback-started', 20_000, 'the rollback decision');
    // The deploy (1 s) is under way: its result, the release listing after it and verification
    // all have to be written while the lock holds.
    lock = new ExternalLock(s.dbPath);
    lock.take();
    await sleep(LOCK_MS);
    lock.release();
    await expectRolledBackOnce(s, good);
  });

  it(`for ${LOCK_MS / 1000} s: /healthz stays fast, /readyz says store-locked, an operator action is answered and audited, nothing is lost`, async () => {
    const s = (stack = await Stack.start({ apps: [APP, OTHER], deployMs: 1_000 }));
    for (const app of [APP, OTHER]) await s.daemon.waitForTarget(app, (t) => t.phase === 'stable', 15_000, `${app} v1 marked good`);
    const good = s.sim.currentImage(APP);
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    // Locked before the daemon has seen the bad release: its decision waits for the lock too.
    lock = new ExternalLock(s.dbPath);
    lock.take();
    const lockedAt = performance.now();
    const healthz = sampleHealthz(s.daemon.url);
    await sleep(1_000);
    const pause = s.daemon.api(`/api/v1/targets/${OTHER}/pause`, { method: 'POST', body: { reason: 'during the lock' } });
    pause.catch(() => undefined); // awaited below, after the lock
    let sawStoreLocked = false;
    let notReadyMetric = 0;
    while (!sawStoreLocked && performance.now() - lockedAt < LOCK_MS - 500) {
      sawStoreLocked = (await readyReasons(s)).includes('store-locked');
      if (sawStoreLocked) notReadyMetric = await s.daemon.metric('rollback_watchdog_not_ready', 'reason="store-locked"');
      else await sleep(200);
    }
    await sleep(Math.max(0, LOCK_MS - (performance.now() - lockedAt)));
    const samples = (await healthz.stop()).sort((a, b) => a - b);
    lock.release();
    const max = samples.at(-1) ?? Number.NaN;
    console.log(`/healthz during a ${LOCK_MS} ms lock: ${samples.length} samples, p50 ${percentile(samples, 0.5).toFixed(1)} ms, p99 ${percentile(samples, 0.99).toFixed(1)} ms, max ${max.toFixed(1)} ms`);
    expect(max).toBeLessThan(HEALTHZ_BOUND_MS);
    expect(samples.length).toBeGreaterThan(20);
    expect({ sawStoreLocked, notReadyMetric }).toEqual({ sawStoreLocked: true, notReadyMetric: 1 });

    const answered = await pause;
    expect(answered.status).toBe(200);
    await s.daemon.waitUntil(async () => !(await readyReasons(s)).includes('store-locked'), 10_000, 'store-locked cleared');
    const { body } = await s.daemon.api<{ entries: { action: string; target?: string; status: number }[] }>('/api/v1/audit');
    expect(body.entries).toEqual(expect.arrayContaining([expect.objectContaining({ action: 'pause', target: OTHER, status: 200 })]));
    expect((await s.daemon.target(OTHER)).phase).toBe('stable');
    await expectRolledBackOnce(s, good);
  });
});
