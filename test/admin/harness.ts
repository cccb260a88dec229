/**
 * The admin API under test: a real Watchdog over FakePlatform, an in-memory SQLite store and a
 * scripted probe, built with buildApp and driven with `inject` (or listened on 127.0.0.1:0).
 * The probe loop is not started: polls and decisions are driven by hand, so phases are exact.
 */
import type { FastifyInstance } from 'fastify';
import { TokenAuth, type TokenEntry } from '../../src/admin/auth.ts';
import type { ActionRateLimit } from '../../src/admin/rate-limit.ts';
import type { AdminLimits } from '../../src/admin/limits.ts';
import type { MobileApp } from '../../src/admin/mobile-routes.ts';
import type { AuditRetention } from '../../src/admin/audit-retention.ts';
import type { SecretRegistry } from '../../src/infra/secrets.ts';
import { buildApp } from '../../src/app.ts';
import { systemClock, type Clock } from '../../src/infra/clock.ts';
import type { ResolvedTarget } from '../../src/config/resolve.ts';
import type { TargetState } from '../../src/domain/target-state.ts';
import { Watchdog } from '../../src/guard/watchdog.ts';
import { PromMetrics } from '../../src/metrics/prom.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { FakePlatform } from '../fakes/fake-platform.ts';
import { captureLogger } from '../fakes/logger.ts';
import { ScriptedProbe } from '../fakes/scripted-probe.ts';
import { image, target } from '../guard/step/fixtures.ts';

export const OPERATOR = 'operator-token-0123456789';
export const VIEWER = 'viewer-token-0123456789ab';
export const TOKENS: TokenEntry[] = [
  { name: 'ops', role: 'operator', token: OPERATOR },
  { name: 'grafana', role: 'viewer', token: VIEWER },
];
export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
export { image };

export interface HarnessOptions {
  tokens?: TokenEntry[];
  targets?: ResolvedTarget[];
  rateLimit?: ActionRateLimit | false;
  /** false: build the app without a store (as main.ts does until it passes one). */
  withStore?: boolean;
  /** Connection, timeout, stream and failed-auth limits (buildApp's defaults otherwise). */
  limits?: Partial<AdminLimits>;
  /** Configured secrets: masked in the audit trail. */
  secrets?: SecretRegistry;
  mobile?: ReadonlyMap<string, MobileApp>;
  auditRetention?: AuditRetention;
  /** The admin server's clock (audit timestamps, failed-auth windows); the guard keeps the system clock. */
  clock?: Clock;
}

export interface Harness {
  app: FastifyInstance;
  watchdog: Watchdog;
  platform: FakePlatform;
  store: SqliteStore;
  probe: ScriptedProbe;
  records: Record<string, unknown>[];
  state(name?: string): TargetState;
  close(): Promise<void>;
}

/** Every target gets release v1 (image 1) on the platform; nothing is polled yet. */
export async function harness(options: HarnessOptions = {}): Promise<Harness> {
  const targets = options.targets ?? [target];
  const platform = new FakePlatform();
  for (const t of targets) platform.release(t.app, image(1));
  const metrics = new PromMetrics({ defaultMetrics: false });
  const { logger, records } = captureLogger();
  const store = new SqliteStore(':memory:');
  const probe = new ScriptedProbe();
  const watchdog = await Watchdog.open({
    targets,
    pollSchedule: '0 0 1 1 *', // effectively never during a test: polls are driven by hand
    platform,
    store,
    signals: probe.signals,
    clock: systemClock,
    logger,
    metrics,
    postmortemAfterMs: 300_000,
  });
  const app = buildApp({
    watchdog,
    auth: new TokenAuth(options.tokens ?? TOKENS),
    logger,
    registry: metrics.registry,
    ...(options.withStore !== false && { store }),
    rateLimit: options.rateLimit ?? false,
    ...(options.limits && { limits: options.limits }),
    ...(options.secrets && { secrets: options.secrets }),
    ...(options.mobile && { mobile: options.mobile }),
    ...(options.auditRetention && { auditRetention: options.auditRetention }),
    ...(options.clock && { clock: options.clock }),
  });
  return {
    app,
    watchdog,
    platform,
    store,
    probe,
    records,
    state: (name = 'api') => watchdog.runner(name).state,
    close: async () => {
      await app.close();
      await watchdog.stop(0);
      await store.close();
    },
  };
}

/** Waits for a condition the guard reaches through its own queue (e.g. the `proceed` after a failure). */
export async function until(check: () => boolean, what = 'condition', timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
}

/** v1 judged good (its guard aborted, then marked by hand), v2 (image 2) being guarded. */
export async function guardingV2(h: Harness): Promise<void> {
  const runner = h.watchdog.runner('api');
  await h.watchdog.pollAll();
  await runner.command({ kind: 'abort', by: 'test' });
  await runner.command({ kind: 'mark', version: 1, verdict: 'good', by: 'test' });
  h.platform.release('api', image(2));
  await h.watchdog.pollAll();
  await until(() => h.state().phase === 'guarding' && h.state().guard?.release.version === 2, 'guarding v2');
}

/**
 * Held for approval with a plan back to v1: in approve mode, v2's image is judged bad and then
 * redeployed as v3, which the guard fails at once as a known-bad image.
 */
export async function heldForApproval(h: Harness): Promise<void> {
  await guardingV2(h);
  await h.watchdog.setControls('api', { mode: 'approve', by: 'test' });
  await h.watchdog.runner('api').command({ kind: 'mark', version: 2, verdict: 'bad', by: 'test' });
  h.platform.release('api', image(2));
  await h.watchdog.pollAll();
  await until(() => h.state().phase === 'held', 'held');
}

/** Held with nowhere to go: the only earlier image is judged bad, so the plan has no `to`. */
export async function heldWithoutTarget(h: Harness): Promise<void> {
  const runner = h.watchdog.runner('api');
  await h.watchdog.pollAll();
  await runner.command({ kind: 'abort', by: 'test' });
  await runner.command({ kind: 'mark', version: 1, verdict: 'bad', by: 'test' });
  h.platform.release('api', image(1));
  await h.watchdog.pollAll();
  await until(() => h.state().phase === 'held', 'held without a target');
}
