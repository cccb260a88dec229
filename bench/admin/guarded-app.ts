/**
 * The admin server as the benchmark measures it: a real Watchdog with `count` targets, each with a
 * few releases on an in-memory platform and guarding the newest after one poll, a SQLite store,
 * Prometheus default metrics, and request logging at info into a discarding sink (as in production,
 * minus the terminal).
 */
import { Writable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { TokenAuth } from '../../src/admin/auth.ts';
import { buildApp } from '../../src/app.ts';
import { systemClock } from '../../src/infra/clock.ts';
import type { ResolvedTarget } from '../../src/config/resolve.ts';
import { Watchdog } from '../../src/guard/watchdog.ts';
import { createLogger } from '../../src/infra/log.ts';
import { PromMetrics } from '../../src/metrics/prom.ts';
import { SecretRegistry } from '../../src/infra/secrets.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { FakePlatform } from '../../test/fakes/fake-platform.ts';
import { ScriptedProbe } from '../../test/fakes/scripted-probe.ts';
import { target as fixtureTarget } from '../../test/guard/step/fixtures.ts';

export const BENCH_TOKEN = 'bench-viewer-token-0123456789';
const RELEASES_PER_TARGET = 5;

/** The tests' target fixture, renamed per target and with a window long enough to stay guarding. */
function benchTarget(i: number): ResolvedTarget {
  const name = `app-${String(i).padStart(3, '0')}`;
  return {
    ...fixtureTarget,
    name,
    app: name,
    environment: i % 2 ? 'production' : 'staging',
    probes: fixtureTarget.probes.map((p) => ({ ...p, url: `http://127.0.0.1:1/${name}/${p.name}` })),
    guard: { ...fixtureTarget.guard, watchWindow: 3_600_000 },
  };
}

export interface GuardedApp {
  app: FastifyInstance;
  watchdog: Watchdog;
  close(): Promise<void>;
}

/** Builds the app with `count` targets, polls once (every target then guards its newest release). */
export async function guardedApp(count: number): Promise<GuardedApp> {
  const targets = Array.from({ length: count }, (_, i) => benchTarget(i + 1));
  const platform = new FakePlatform();
  for (const t of targets) {
    for (let v = 1; v <= RELEASES_PER_TARGET; v++) platform.release(t.app, `registry.fly.io/${t.app}:deployment-${v}`);
  }
  const discard = new Writable({ write: (_chunk, _enc, done) => done() });
  const logger = createLogger({ level: 'info', pretty: false, secrets: new SecretRegistry(), destination: discard });
  const metrics = new PromMetrics();
  const store = new SqliteStore(':memory:');
  const watchdog = await Watchdog.open({
    targets,
    pollSchedule: '0 0 1 1 *', // never during the run: the one poll below is all the benchmark needs
    platform,
    store,
    signals: new ScriptedProbe().signals,
    clock: systemClock,
    logger,
    metrics,
    postmortemAfterMs: 300_000,
  });
  await watchdog.pollAll();
  const guarding = (await watchdog.summaries()).filter((s) => s.phase === 'guarding').length;
  if (guarding !== count) throw new Error(`expected ${count} targets guarding, got ${guarding}`);
  const app = buildApp({ watchdog, store, auth: new TokenAuth([{ name: 'bench', role: 'viewer', token: BENCH_TOKEN }]), logger, registry: metrics.registry });
  return {
    app,
    watchdog,
    close: async () => {
      await app.close();
      await watchdog.stop(0);
      await store.close();
    },
  };
}
