/**
 * One TargetRunner set-up for tests: a fake platform with v1 released, an in-memory SQLite store, a
 * scripted probe and a capturing logger, on the real clock (tests drive it with fake timers).
 * Any dependency can be replaced, and the pieces come back for the test to drive and inspect.
 */
import { TargetRunner, type RunnerDeps } from '../../../src/guard/runner/target-runner.ts';
import { systemClock } from '../../../src/infra/clock.ts';
import { noopMetrics } from '../../../src/metrics/recorder.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';
import { FakePlatform } from '../../fakes/fake-platform.ts';
import { captureLogger } from '../../fakes/logger.ts';
import { ScriptedProbe } from '../../fakes/scripted-probe.ts';
import { image, policy, target } from '../step/fixtures.ts';

export async function openRunner(over: Partial<RunnerDeps> & { platform?: FakePlatform; probe?: ScriptedProbe } = {}) {
  const platform = over.platform ?? new FakePlatform();
  if (!over.platform) platform.release('api', image(1));
  const store = over.store ?? new SqliteStore(':memory:');
  const probe = over.probe ?? new ScriptedProbe();
  const { logger, records } = captureLogger();
  const { probe: _probe, ...deps } = over;
  const runner = await TargetRunner.open({
    target,
    runProbe: probe.runProbe,
    clock: systemClock,
    logger,
    metrics: noopMetrics,
    policy: () => policy,
    postmortemAfterMs: 300_000,
    ...deps,
    platform,
    store,
  });
  return { runner, platform, store, probe, records };
}
