/**
 * Turns raw readings of two monotone counters (requests, 5xx errors) for ONE series (one machine or
 * process) into cumulative counts since the first reading. Keep one accumulator per series and sum
 * their counts: a restart of one machine lowers only its own counters, and only per series can that
 * be told apart from traffic.
 */
import type { CounterAccumulator } from '../domain/measurement.ts';

/** Raw cumulative counter values as scraped, e.g. from `http_requests_total`. */
export interface CounterSample {
  requests: number;
  errors: number;
  /** The caller knows the counters restarted (e.g. the process id changed) even if the values rose. */
  reset?: boolean;
}

/**
 * A fresh accumulator. Pass `origin` when the counter values at the deploy are known (a new process
 * starts at {requests: 0, errors: 0}); otherwise the first reading becomes the origin.
 */
export function startAccumulator(origin?: { requests: number; errors: number }): CounterAccumulator {
  return { last: origin ? { requests: origin.requests, errors: origin.errors } : null, requests: 0, errors: 0, resets: 0, rejected: 0 };
}

const isReading = (v: number) => Number.isFinite(v) && v >= 0;

/**
 * Folds one reading into the accumulator (returns a new object; `prev` is untouched).
 * - Unusable reading: ignored and counted in `rejected`; the origin stays, so the next good reading
 *   still yields the whole delta.
 * - Reset (flagged, or either counter went down): the reading becomes the new origin and adds nothing.
 *   Prometheus' increase() would instead add the new value, assuming the counter restarted at 0. We
 *   don't, because a decrease we cannot explain (a scrape that hit another machine, a relabelled
 *   series) must not inject counts; losing the few seconds of traffic since the restart only delays
 *   a verdict.
 * - Otherwise: adds the deltas.
 */
export function accumulate(prev: CounterAccumulator, sample: CounterSample): CounterAccumulator {
  if (!isReading(sample.requests) || !isReading(sample.errors)) return { ...prev, rejected: prev.rejected + 1 };
  const reading = { requests: sample.requests, errors: sample.errors };
  if (prev.last === null) return { ...prev, last: reading };
  const requestsDelta = reading.requests - prev.last.requests;
  const errorsDelta = reading.errors - prev.last.errors;
  if (sample.reset === true || requestsDelta < 0 || errorsDelta < 0) {
    return { ...prev, last: reading, resets: prev.resets + 1 };
  }
  return { ...prev, last: reading, requests: prev.requests + requestsDelta, errors: prev.errors + errorsDelta };
}

/** Sum of several series' counts, e.g. one accumulator per machine of the release. */
export function totalCounts(series: Iterable<CounterAccumulator>): { requests: number; errors: number } {
  let requests = 0;
  let errors = 0;
  for (const s of series) {
    requests += s.requests;
    errors += s.errors;
  }
  return { requests, errors };
}
