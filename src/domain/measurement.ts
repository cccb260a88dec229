/**
 * What a signal reports: one check's measurement, or a reading of request/error counters or latency.
 * Providers (src/signals) produce them; the guard and the statistics consume them.
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

/** A latency reading in seconds (e.g. a p99 from a histogram). */
export type LatencyReadout =
  | { ok: true; at: number; seconds: number; detail: string }
  | { ok: false; phase: 'error' | 'inconclusive'; at: number; detail: string };

export interface CounterAccumulator {
  /** The last trusted reading: the origin of the next delta (null before the first reading). */
  last: { requests: number; errors: number } | null;
  /** Counts accumulated since the first reading. */
  requests: number;
  errors: number;
  /** Readings treated as a counter reset. */
  resets: number;
  /** Readings ignored as unusable (NaN, negative, infinite). */
  rejected: number;
}
