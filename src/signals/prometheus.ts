/**
 * Counter and latency sources backed by PromQL instant queries (a Prometheus server, or Fly's
 * managed one at https://api.fly.io/prometheus/<org-slug>). They only read; deltas, baselines and
 * the statistics happen in src/analysis.
 */
import type { Dispatcher } from 'undici';
import type { Clock } from '../infra/clock.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import { PromQLClient, type PromVectorSample } from './promql-client.ts';
import type { PrometheusCounters, PrometheusLatency } from '../config/signal-schemas.ts';
import type { CounterReadout, LatencyReadout, SeriesReading } from '../domain/measurement.ts';
import type { CounterSource, LatencySource } from './types.ts';

export interface PrometheusSourceDeps {
  clock: Clock;
  secrets: SecretRegistry;
  /** For tests; default undici's global dispatcher. */
  dispatcher?: Dispatcher;
}

/** Reads cumulative request and error counters per series with two PromQL queries. */
export class PrometheusCounterSource implements CounterSource {
  readonly type = 'prometheus';
  readonly #spec: PrometheusCounters;
  readonly #client: PromQLClient;
  readonly #clock: Clock;

  constructor(spec: PrometheusCounters, deps: PrometheusSourceDeps) {
    this.#spec = spec;
    this.#clock = deps.clock;
    this.#client = new PromQLClient(spec, deps.secrets, deps.dispatcher);
  }

  /**
   * Both queries run at once. A failure of either is the readout (an error count from a failed
   * query must not be read as zero errors); no requests series at all is `inconclusive`.
   */
  async read(signal: AbortSignal): Promise<CounterReadout> {
    const [requests, errors] = await Promise.all([
      this.#client.query(this.#spec.requests, signal),
      this.#client.query(this.#spec.errors, signal),
    ]);
    const at = this.#clock.now();
    if (!requests.ok) return { ...requests, at, detail: `requests: ${requests.detail}` };
    if (!errors.ok) return { ...errors, at, detail: `errors: ${errors.detail}` };
    if (requests.samples.length === 0) return { ok: false, phase: 'inconclusive', at, detail: 'no data' };
    const readings = joinCounters(requests.samples, errors.samples);
    const sum = (key: 'requests' | 'errors') => readings.reduce((total, r) => total + r[key], 0);
    return { ok: true, at, readings, detail: `${readings.length} series, ${sum('requests')} requests, ${sum('errors')} errors` };
  }
}

/** Reads one latency in seconds (a scalar or a one-element vector, e.g. a histogram_quantile). */
export class PrometheusLatencySource implements LatencySource {
  readonly type = 'prometheus';
  readonly #spec: PrometheusLatency;
  readonly #client: PromQLClient;
  readonly #clock: Clock;

  constructor(spec: PrometheusLatency, deps: PrometheusSourceDeps) {
    this.#spec = spec;
    this.#clock = deps.clock;
    this.#client = new PromQLClient(spec, deps.secrets, deps.dispatcher);
  }

  /** No series, or NaN (histogram_quantile over no traffic), is `inconclusive`: there is no latency to judge. */
  async read(signal: AbortSignal): Promise<LatencyReadout> {
    const result = await this.#client.query(this.#spec.query, signal);
    const at = this.#clock.now();
    if (!result.ok) return { ...result, at };
    const [sample, ...others] = result.samples;
    if (sample === undefined) return { ok: false, phase: 'inconclusive', at, detail: 'no data' };
    if (others.length > 0) {
      return { ok: false, phase: 'error', at, detail: `query returned ${result.samples.length} series; aggregate it to one (e.g. sum by (le) inside histogram_quantile)` };
    }
    if (Number.isNaN(sample.value)) return { ok: false, phase: 'inconclusive', at, detail: 'no data (NaN)' };
    return { ok: true, at, seconds: sample.value, detail: formatSeconds(sample.value) };
  }
}

/**
 * Joins per-series request and error counters on their label sets. A requests series without an
 * errors entry has 0 errors (PromQL drops series whose filter matched nothing); an errors series
 * without requests is dropped, as there is no rate to put it in.
 */
export function joinCounters(requests: readonly PromVectorSample[], errors: readonly PromVectorSample[]): SeriesReading[] {
  const errorsBySeries = new Map(errors.map((s) => [seriesKey(s.labels), s.value]));
  return requests.map((s) => {
    const series = seriesKey(s.labels);
    return { series, requests: s.value, errors: errorsBySeries.get(series) ?? 0 };
  });
}

/** The label set as `k=v,k=v`, sorted by name: stable whatever order Prometheus returns. Empty for `{}`. */
export function seriesKey(labels: Record<string, string>): string {
  return Object.keys(labels)
    .sort()
    .map((name) => `${name}=${labels[name]}`)
    .join(',');
}

function formatSeconds(seconds: number): string {
  if (!Number.isFinite(seconds)) return `${seconds}s`;
  return seconds < 1 ? `${Math.round(seconds * 1000)}ms` : `${Math.round(seconds * 1000) / 1000}s`;
}
