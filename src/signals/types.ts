/**
 * Every signal source is a provider that turns one check into one Measurement. Providers catch
 * everything: a thrown error, a timeout or a refused connection comes back as a phase, so the
 * guard loop never sees an exception from a signal.
 */
export type MeasurementPhase = 'successful' | 'failed' | 'error' | 'inconclusive';

export interface Measurement {
  /** The check's configured name, e.g. `health`. */
  check: string;
  phase: MeasurementPhase;
  /** When the measurement finished (epoch ms). */
  at: number;
  durationMs: number;
  /** One human-readable line: `200 in 12ms`, `503 (expected 200)`, `connection refused`. */
  detail: string;
  /** The raw values behind the phase (status code, latency…), kept as evidence. */
  values?: Record<string, number | string | boolean>;
  /** Longer evidence (a smoke test's output tail), already secret-masked. */
  evidence?: string;
}

export interface Provider<Spec> {
  readonly type: string;
  run(spec: Spec, signal: AbortSignal): Promise<Measurement>;
}

/** One cumulative reading of a request/error counter pair for one series (a machine or instance). */
export interface SeriesReading {
  /** Stable identity of the series, e.g. its instance label; counters are accumulated per series. */
  series: string;
  requests: number;
  errors: number;
}

/** What a counter source returns: readings, or why there are none (never a thrown error). */
export type CounterReadout =
  | { ok: true; at: number; readings: SeriesReading[]; detail: string }
  | { ok: false; phase: 'error' | 'inconclusive'; at: number; detail: string };

/**
 * A source of cumulative request and error counters: a PromQL query, or an app's own /metrics.
 * Deltas, baselines and the statistics happen in pure code (src/analysis); sources only read.
 */
export interface CounterSource {
  readonly type: string;
  read(signal: AbortSignal): Promise<CounterReadout>;
}

/** A latency reading in seconds (e.g. a p99 from a histogram). */
export type LatencyReadout =
  | { ok: true; at: number; seconds: number; detail: string }
  | { ok: false; phase: 'error' | 'inconclusive'; at: number; detail: string };

export interface LatencySource {
  readonly type: string;
  read(signal: AbortSignal): Promise<LatencyReadout>;
}
