/**
 * `npm run bench:store-lock`: what another process's lock on the daemon's SQLite file costs
 * (issue 16: a 20 s lock gave /healthz answers of 10 s, 48.8 s of schedule lag, operator actions
 * answered 500 and their audit entries lost).
 *
 *   node bench/store-lock/main.ts [--lock 20s] [--targets 4] [--json FILE]
 *
 * The real daemon guards `targets` simulated apps (probes every 200 ms, polls every second). Once
 * all are stable, the first gets a bad release; when the daemon has decided to roll it back (its
 * deploy is under way), the benchmark takes the write lock from a second connection and holds it
 * for `lock`. Meanwhile the second app gets a bad release too (its whole rollback must wait), and
 * an operator pauses and resumes the third and pauses the fourth. /healthz is sampled every
 * 100 ms (open loop) while the lock holds; the schedule-lag histogram is read from /metrics before
 * the lock and after both rollbacks ended. Then: what was written (audit rows, journal entries),
 * what failed (from the daemon's log), and how many rollback deploys each app got.
 */
import { writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { request } from 'undici';
import { table } from '../../src/client/table.ts';
import { parseDuration } from '../../src/infra/duration.ts';
import { Stack } from '../../test/integration/stack.ts';
import { ExternalLock } from '../../test/store/external-lock.ts';
import { bucketMax, bucketQuantile, histogram, histogramDelta, LAG_METRIC, parseScrape, type Histogram } from '../scale/daemon-metrics.ts';
import { Cleanup } from '../support/cleanup.ts';
import { quantile, sampleLatency } from './latency-sampler.ts';
import { failures, flyDeploys, lastIds, written } from './outcome.ts';

const { values } = parseArgs({ options: { lock: { type: 'string', default: '20s' }, targets: { type: 'string', default: '4' }, json: { type: 'string' } } });
const lockMs = parseDuration(values.lock);
const targets = Number(values.targets);
if (!lockMs || !Number.isInteger(targets) || targets < 4) {
  console.error('usage: bench/store-lock/main.ts [--lock 20s] [--targets N (at least 4)] [--json FILE]');
  process.exit(2);
}
const apps = Array.from({ length: targets }, (_, i) => `lock-bench-${i + 1}`);
const [first, second, third, fourth] = apps as [string, string, string, string];
const log = (line: string) => console.error(`[${new Date().toISOString().slice(11, 23)}] ${line}`);

const cleanup = new Cleanup();
cleanup.onSignals();
try {
  const stack = cleanup.add('stack', await Stack.start({ apps, deployMs: 1_000 }), (s) => s.close());
  const daemon = stack.daemon;
  for (const app of apps) await daemon.waitForTarget(app, (t) => t.phase === 'stable', 30_000, `${app} stable`);
  const lock = cleanup.add('lock', new ExternalLock(stack.dbPath), async (l) => l.close());
  const lag = async (): Promise<Histogram> => histogram(parseScrape(await (await request(`${daemon.url}/metrics`)).body.text(), 0).samples, LAG_METRIC);

  log(`${targets} targets stable; a bad release on ${first}`);
  await stack.sim.deploy(first, stack.sim.buildImage(first, 'down'));
  await daemon.waitForLog((r) => r.target === first && r.decision === 'rollback-started', 20_000, 'the rollback decision');
  const since = lastIds(stack.dbPath);
  const lagBefore = await lag();
  lock.take();
  const lockedAt = performance.now();
  log(`rollback of ${first} under way; locked the store for ${lockMs / 1000} s`);
  const healthz = sampleLatency(`${daemon.url}/healthz`, 100);
  const readyReasons = new Set<string>();
  const at = (ms: number) => sleep(Math.max(0, lockedAt + ms - performance.now()));

  /** An operator action; resolves with its status (0: no answer) and answer time (it may wait for the lock). */
  const act = async (path: string) => {
    const started = performance.now();
    try {
      const res = await request(`${daemon.url}/api/v1${path}`, { method: 'POST', body: JSON.stringify({ reason: 'store-lock benchmark' }), headers: { 'content-type': 'application/json' } });
      await res.body.text();
      return { path, status: res.statusCode, ms: performance.now() - started };
    } catch (err) {
      log(`${path}: ${(err as Error).message}`);
      return { path, status: 0, ms: performance.now() - started };
    }
  };
  const script = (async () => {
    await at(lockMs * 0.1);
    const badDeploy = stack.sim.deploy(second, stack.sim.buildImage(second, 'down'));
    await at(lockMs * 0.15);
    const actions = [act(`/targets/${third}/pause`)];
    await at(lockMs * 0.4);
    actions.push(act(`/targets/${third}/resume`));
    await at(lockMs * 0.6);
    actions.push(act(`/targets/${fourth}/pause`));
    await badDeploy;
    return Promise.all(actions);
  })();
  // Released on the benchmark's own timer: nothing the daemon does (or fails to answer) lengthens the lock.
  let locked = true;
  const released = at(lockMs).then(() => {
    lock.release();
    locked = false;
    log('lock released');
  });
  while (locked) {
    // A stalled daemon may not answer at all, or drop a kept-alive connection: neither is a reason.
    const reasons = await request(`${daemon.url}/readyz`, { signal: AbortSignal.timeout(1_000) })
      .then(async (res) => ((await res.body.json()) as { reasons?: { reason: string }[] }).reasons ?? [])
      .catch(() => []);
    for (const r of reasons) readyReasons.add(r.reason);
    await Promise.race([sleep(500), released]);
  }
  const { latencies, failures: healthzFailures } = await healthz.stop();
  const actions = await script;
  for (const app of [first, second]) {
    await daemon.waitForTarget(app, (t) => ['rolled-back', 'rollback-failed', 'held'].includes(t.phase), 60_000, `${app} rollback`).catch((err: Error) => log(err.message.split('\n')[0] ?? ''));
  }
  const settled = performance.now();
  await daemon.waitUntil(async () => (await daemon.api('/readyz')).status === 200, 30_000, 'ready again').catch(() => log('not ready again within 30 s'));
  const lagAfter = await lag();
  const window = histogramDelta(lagBefore, lagAfter);
  const stored = written(stack.dbPath, since);
  const failed = failures(stack);
  const phases = await Promise.all([first, second].map(async (app) => `${app}: ${(await daemon.target(app)).phase}`));

  const ms = (n: number) => (Number.isFinite(n) ? n.toFixed(1) : '-');
  const failedText = (f: Record<string, number>) => Object.entries(f).map(([why, n]) => `, ${n} failed: ${why}`).join('');
  const bound = (s: number) => (Number.isFinite(s) ? `≤ ${s * 1000} ms` : '> 5000 ms');
  const result = {
    lockSeconds: lockMs / 1000,
    healthz: { answered: latencies.length, failures: healthzFailures, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), max: quantile(latencies, 1) },
    scheduleLag: { rounds: window.count, p99: bucketQuantile(window, 0.99), max: bucketMax(window), meanMs: (window.sum / window.count) * 1000 },
    actions,
    auditRows: stored.audit,
    journal: stored.journal,
    incidentsWithLogs: stored.incidentsWithLogs,
    ...failed,
    readyReasons: [...readyReasons],
    rollbackDeploys: { [first]: flyDeploys(stack, first), [second]: flyDeploys(stack, second) },
    phases,
    settledAfterReleaseSeconds: (settled - lockedAt - lockMs) / 1000,
  };
  const rows: [string, string][] = [
    ['lock held', `${result.lockSeconds} s, from the rollback decision of ${first}`],
    ['/healthz during the lock (ms)', `p50 ${ms(result.healthz.p50)}, p99 ${ms(result.healthz.p99)}, max ${ms(result.healthz.max)} (${latencies.length} answered${failedText(healthzFailures)})`],
    ['schedule lag, lock and recovery', `p99 ${bound(result.scheduleLag.p99)}, max ${bound(result.scheduleLag.max)}, mean ${result.scheduleLag.meanMs.toFixed(1)} ms (${result.scheduleLag.rounds} rounds)`],
    ['operator actions', actions.map((a) => `${a.path.split('/').slice(-2).join(' ')} → ${a.status || 'no answer'} in ${(a.ms / 1000).toFixed(1)} s`).join('; ')],
    ['audit rows written', `${stored.audit.length} of ${actions.length} actions: ${stored.audit.join('; ') || 'none'}`],
    ...[first, second].map((app): [string, string] => [`journal of ${app} after the lock began`, (stored.journal[app] ?? []).join(', ') || 'none']),
    ['incidents keeping their fly logs', stored.incidentsWithLogs.join(', ') || 'none'],
    ['store writes failed / guard steps dropped', `${failed.failedWrites} / ${failed.droppedSteps}${failed.messages.length ? ` (${failed.messages.join('; ')})` : ''}`],
    ['/readyz reasons seen during the lock', result.readyReasons.join(', ') || 'none'],
    ['rollback deploys', Object.entries(result.rollbackDeploys).map(([app, n]) => `${app}: ${n}`).join(', ')],
    ['final phases', `${phases.join(', ')} (${result.settledAfterReleaseSeconds.toFixed(1)} s after the release)`],
  ];
  console.log(table(['measure', 'value'], rows));
  if (values.json) writeFileSync(values.json, `${JSON.stringify(result, null, 2)}\n`);
} finally {
  await cleanup.close();
}
