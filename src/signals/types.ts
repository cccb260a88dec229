/**
 * Every signal source is a provider that turns one check into one Measurement. Providers catch
 * everything: a thrown error, a timeout or a refused connection comes back as a phase, so the
 * guard loop never sees an exception from a signal.
 */
import type { CounterReadout, LatencyReadout, Measurement } from '../domain/measurement.ts';

export interface Provider<Spec> {
  readonly type: string;
  run(spec: Spec, signal: AbortSignal): Promise<Measurement>;
}

/**
 * A source of cumulative request and error counters: a PromQL query, or an app's own /metrics.
 * Deltas, baselines and the statistics happen in pure code (src/analysis); sources only read.
 */
export interface CounterSource {
  readonly type: string;
  read(signal: AbortSignal): Promise<CounterReadout>;
}

export interface LatencySource {
  readonly type: string;
  read(signal: AbortSignal): Promise<LatencyReadout>;
}
