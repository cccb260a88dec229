/**
 * Issue 6 acceptance: a real Prometheus scrapes the real daemon's /metrics while the watchdog
 * rolls a bad release back, and PromQL shows the verified rollback, the target's state, and data
 * in the dashboard's panels.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROLLBACK_OVER, Stack } from '../integration/stack.ts';
import { pollUntil } from '../support/poll.ts';
import { hasPrometheus, queryVector, startPrometheus, waitForQueryData, type InstantSample, type PrometheusServer } from '../support/prometheus.ts';
import { loadDashboard, panelQueries, withGrafanaVariables } from './promql.ts';

const APP = 'renderflow-api';

/** The single value of an instant query, or undefined while it returns nothing. */
async function scalar(prometheus: PrometheusServer, query: string): Promise<number | undefined> {
  const result = await queryVector(prometheus.url, query);
  if (result.length > 1) throw new Error(`${query} returned ${result.length} series: ${JSON.stringify(result)}`);
  return result[0] ? Number(result[0].value[1]) : undefined;
}

// Skipped only on a developer machine without Prometheus; in CI (.ci/run installs it) a missing binary fails.
describe.skipIf(!hasPrometheus && !process.env.CI)('a real Prometheus scraping the daemon while it rolls back a bad release', () => {
  let stack: Stack;
  let prometheus: PrometheusServer;

  beforeAll(async () => {
    stack = await Stack.start({ apps: [APP] });
    prometheus = await startPrometheus({ targets: [new URL(stack.daemon.url).host] });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await stack?.close();
  });

  it('shows the verified rollback and the rolled-back state through PromQL', async () => {
    const { daemon, sim } = stack;
    await daemon.waitForTarget(APP, (t) => t.phase === 'stable', 15_000, 'v1 marked good');
    // Scraped: the daemon's page is in Prometheus, with the target's state.
    await waitForQueryData(prometheus.url, `rollback_watchdog_target_state{target="${APP}"}`, { timeoutMs: 10_000 });

    await sim.deploy(APP, sim.buildImage(APP, 'down'));
    await daemon.waitForTarget(APP, (t) => ROLLBACK_OVER.includes(t.phase), 30_000, 'the rollback to finish');
    expect((await daemon.target(APP)).phase).toBe('rolled-back');

    await pollUntil(
      async () => (await scalar(prometheus, `rollback_watchdog_rollbacks_total{target="${APP}",outcome="verified"}`)) === 1,
      { timeoutMs: 10_000, intervalMs: 200, what: 'Prometheus to count one verified rollback' },
    );
    await pollUntil(
      async () => (await scalar(prometheus, `rollback_watchdog_target_state{target="${APP}",state="rolled-back"}`)) === 1,
      { timeoutMs: 10_000, intervalMs: 200, what: 'Prometheus to see the target rolled-back' },
    );
    // One series per target: the states it went through are gone (stale), not 0.
    const states = await queryVector(prometheus.url, `rollback_watchdog_target_state{target="${APP}"}`);
    expect(states.map((s) => [s.metric.state, s.value[1]])).toEqual([['rolled-back', '1']]);
    expect(await scalar(prometheus, `rollback_watchdog_rollbacks_total{target="${APP}",trigger="automatic",outcome="started"}`)).toBe(1);
    expect(await scalar(prometheus, `rollback_watchdog_guards_finished_total{target="${APP}",verdict="bad"}`)).toBe(1);
  });

  it('every dashboard query runs against it, and the panels show the rollback', async () => {
    const results = new Map<string, InstantSample[]>();
    for (const { panel, refId, expr } of panelQueries(loadDashboard())) {
      // As Grafana would fill them in for the last 5 minutes (the whole test) with "All" selected.
      const query = withGrafanaVariables(expr, { rateInterval: '1m', range: '5m' });
      results.set(`${panel} ${refId}`, await queryVector(prometheus.url, query).catch((err: unknown) => {
        throw new Error(`${panel} ${refId}: ${String(err)}`);
      }));
    }
    /** A panel query's result as `{ 'label=value,…': value }`. */
    const values = (key: string) =>
      Object.fromEntries((results.get(key) ?? []).map((s) => [Object.entries(s.metric).map(([k, v]) => `${k}=${v}`).sort().join(','), Number(s.value[1])]));
    expect(results.get('Target states A')!.map((s) => s.metric)).toEqual([expect.objectContaining({ target: APP, environment: 'test', state: 'rolled-back' })]);
    expect(values('Failed rollbacks A')).toEqual({ '': 0 });
    expect(values('Held rollbacks A')).toEqual({ '': 0 });
    // Series born during the window (at their first increment) are counted, not lost to increase().
    expect(values('Rollbacks by trigger and outcome A')).toEqual({ 'outcome=started,trigger=automatic': 1, 'outcome=verified,trigger=automatic': 1 });
    expect(values('Guards finished by verdict A')).toMatchObject({ 'verdict=bad': 1 });
    expect(values('Rollback duration: p50 / p95 C')).toEqual({ '': 1 });
    expect(values('Fault to rollback: p50 / p95 C')).toEqual({ '': 1 });
    expect(Object.values(values('Rollback duration: distribution A')).reduce((a, b) => Math.max(a, b), 0)).toBe(1);
    expect(Object.keys(values('Measurements by check and phase A'))).toEqual(expect.arrayContaining(['check=health,phase=successful', 'check=ready,phase=successful']));
  });
});
