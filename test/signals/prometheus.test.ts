import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/infra/clock.ts';
import { SecretRegistry } from '../../src/infra/secrets.ts';
import { joinCounters, PrometheusCounterSource, PrometheusLatencySource, seriesKey } from '../../src/signals/prometheus.ts';
import type { PromVectorSample } from '../../src/signals/promql-client.ts';
import { PrometheusCounters, PrometheusLatency } from '../../src/config/signal-schemas.ts';
import type { CounterReadout, SeriesReading } from '../../src/domain/measurement.ts';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { pollUntil } from '../support/poll.ts';
import { hasPrometheus, startPrometheus, waitForQueryData, type PrometheusServer } from '../support/prometheus.ts';

describe('seriesKey and joinCounters', () => {
  it('keys a series by its sorted label set', () => {
    expect(seriesKey({ region: 'iad', app: 'api', instance: '1:9091' })).toBe('app=api,instance=1:9091,region=iad');
    expect(seriesKey({})).toBe('');
  });

  it('joins on the label set whatever the order; unmatched errors are dropped', () => {
    const requests: PromVectorSample[] = [{ labels: { a: '1', b: '2' }, value: 10 }, { labels: { a: '3' }, value: 5 }];
    const errors: PromVectorSample[] = [{ labels: { b: '2', a: '1' }, value: 2 }, { labels: { a: '9' }, value: 4 }];
    expect(joinCounters(requests, errors)).toEqual([
      { series: 'a=1,b=2', requests: 10, errors: 2 },
      { series: 'a=3', requests: 5, errors: 0 },
    ]);
  });
});

/** Requests and errors summed over the readings. */
const totals = (readout: CounterReadout) => {
  if (!readout.ok) throw new Error(`readout failed: ${readout.detail}`);
  const sum = (key: keyof Omit<SeriesReading, 'series'>) => readout.readings.reduce((n, r) => n + r[key], 0);
  return { requests: sum('requests'), errors: sum('errors') };
};

// Skipped only on a developer machine without Prometheus; in CI (.ci/run installs it) a missing binary fails.
describe.skipIf(!hasPrometheus && !process.env.CI)('Prometheus sources against a real Prometheus scraping the simulator', () => {
  let sim: Simulator;
  let prometheus: PrometheusServer;
  const hosts: Record<string, string> = {};
  const never = new AbortController().signal;
  const deps = { clock: systemClock, secrets: new SecretRegistry() };

  const counters = (app: string) =>
    new PrometheusCounterSource(
      PrometheusCounters.parse({
        type: 'prometheus',
        url: prometheus.url,
        requests: `sum by (instance) (http_requests_total{instance="${hosts[app]}"})`,
        errors: `sum by (instance) (http_requests_total{instance="${hosts[app]}",status=~"5.."})`,
      }),
      deps,
    );

  beforeAll(async () => {
    sim = await startSimulator({ deployMs: 20, requestRate: 20, seed: 5 });
    for (const app of ['api', 'shop']) hosts[app] = new URL((await sim.addApp(app, { profile: 'healthy' })).url).host;
    prometheus = await startPrometheus({ targets: Object.values(hosts) });
    // Both apps scraped at least once with traffic (a fresh app exposes no request series yet).
    await waitForQueryData(prometheus.url, 'sum by (instance) (http_requests_total)', { minSeries: 2 });
  });
  afterAll(async () => {
    await prometheus?.stop();
    await sim?.close();
  });

  it('reads per-series request counters that rise as traffic flows', async () => {
    const first = await counters('api').read(never);
    expect(first).toMatchObject({ ok: true });
    expect(first.ok && first.readings.map((r) => r.series)).toEqual([`instance=${hosts.api}`]);
    const start = totals(first).requests;
    await pollUntil(async () => totals(await counters('api').read(never)).requests > start, { timeoutMs: 15_000, what: 'requests to rise' });
  });

  it('counts the errors of an errors:50 release', async () => {
    await sim.deploy('shop', sim.buildImage('shop', 'errors:50'));
    // Prometheus may still hold a scrape from the healthy image: measure from the first scrape
    // that shows new errors, so the whole delta comes from the errors:50 release.
    const deployed = totals(await counters('shop').read(never));
    const before = await pollUntil(async () => {
      const now = totals(await counters('shop').read(never));
      return now.errors > deployed.errors ? now : undefined;
    }, { timeoutMs: 15_000, what: 'the first new errors' });
    const after = await pollUntil(async () => {
      const now = totals(await counters('shop').read(never));
      return now.errors - before.errors >= 20 ? now : undefined;
    }, { timeoutMs: 20_000, what: '20 new errors' });
    const share = (after.errors - before.errors) / (after.requests - before.requests);
    // 50 % errors; the bounds are loose on purpose (a binomial draw, plus scrape timing).
    expect(share).toBeGreaterThan(0.25);
    expect(share).toBeLessThan(0.85);
  });

  it('reads a latency quantile from the app\'s histogram', async () => {
    const latency = new PrometheusLatencySource(
      PrometheusLatency.parse({
        type: 'prometheus',
        url: prometheus.url,
        query: `histogram_quantile(0.9, sum by (le) (rate(http_request_duration_seconds_bucket{instance="${hosts.api}"}[10s])))`,
      }),
      deps,
    );
    // rate() needs two scrapes inside its window; until then the query has no data.
    const readout = await pollUntil(async () => {
      const r = await latency.read(never);
      return r.ok ? r : undefined;
    }, { timeoutMs: 15_000, what: 'a latency reading' });
    // Simulated latency is log-normal around 25 ms: its p90 lies well inside the buckets.
    expect(readout.seconds).toBeGreaterThan(0.005);
    expect(readout.seconds).toBeLessThan(0.5);
  });

  it('when the query matches nothing then inconclusive; when it is not PromQL then error with Prometheus\' reason', async () => {
    const source = (requests: string) => new PrometheusCounterSource(PrometheusCounters.parse({ type: 'prometheus', url: prometheus.url, requests, errors: requests }), deps);
    expect(await source('sum by (instance) (no_such_metric_total)').read(never)).toMatchObject({ ok: false, phase: 'inconclusive', detail: 'no data' });
    const bad = await source('sum by (instance (http_requests_total)').read(never);
    expect(bad).toMatchObject({ ok: false, phase: 'error', detail: expect.stringMatching(/^requests: Prometheus answered 400: .*parse error/) });
  });
});
