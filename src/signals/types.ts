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
}

export interface Provider<Spec> {
  readonly type: string;
  run(spec: Spec, signal: AbortSignal): Promise<Measurement>;
}
