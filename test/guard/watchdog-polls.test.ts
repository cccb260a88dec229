import { describe, expect, it } from 'vitest';
import { Watchdog } from '../../src/guard/watchdog.ts';
import { systemClock } from '../../src/infra/clock.ts';
import { noopMetrics } from '../../src/metrics/recorder.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { FakePlatform } from '../fakes/fake-platform.ts';
import { captureLogger } from '../fakes/logger.ts';
import { ScriptedProbe } from '../fakes/scripted-probe.ts';
import { image, target } from './step/fixtures.ts';

describe('release polls across targets', () => {
  it("a target whose poll hangs does not hold up another target's next polls", async () => {
    const platform = new FakePlatform();
    platform.release('api', image(1));
    platform.release('worker', image(1));
    platform.hangListsOf.add('api');
    const watchdog = await Watchdog.open({
      targets: [target, { ...target, name: 'worker', app: 'worker' }],
      pollSchedule: '0 0 1 1 *', // never during the test: polls are driven by hand
      platform,
      store: new SqliteStore(':memory:'),
      signals: new ScriptedProbe().signals,
      clock: systemClock,
      logger: captureLogger().logger,
      metrics: noopMetrics,
      postmortemAfterMs: 300_000,
    });
    for (let i = 0; i < 3; i++) void watchdog.pollAll();
    await new Promise((resolve) => setImmediate(resolve));
    await watchdog.runner('worker').pollReleases();
    expect(platform.listCallsOf.get('worker')).toBeGreaterThanOrEqual(2);
    expect(platform.listCallsOf.get('api')).toBe(1); // joined, not doubled
    await watchdog.stop(0);
  });
});
