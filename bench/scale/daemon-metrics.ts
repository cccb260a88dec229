/**
 * Reading the daemon's own /metrics: the schedule-lag histogram and the measurements counter, as
 * differences between two scrapes so only the measurement window counts. Pure.
 */
import { parsePromText, type PromSample } from '../../src/signals/prom-text.ts';

export const LAG_METRIC = 'rollback_watchdog_schedule_lag_seconds';
export const MEASUREMENTS_METRIC = 'rollback_watchdog_measurements_total';

export interface Histogram {
  /** Cumulative counts by upper bound, ascending, ending with +Inf. */
  buckets: { le: number; count: number }[];
  sum: number;
  count: number;
}

export interface Scrape {
  /** performance.now() when the answer arrived. */
  at: number;
  samples: PromSample[];
}

export function parseScrape(text: string, at: number): Scrape {
  return { at, samples: parsePromText(text) };
}

/** A label-free histogram (the lag histogram has none); an empty one when absent. */
export function histogram(samples: readonly PromSample[], name: string): Histogram {
  const buckets = samples
    .filter((s) => s.name === `${name}_bucket`)
    .map((s) => ({ le: Number(s.labels.le === '+Inf' ? Number.POSITIVE_INFINITY : s.labels.le), count: s.value }))
    .sort((a, b) => a.le - b.le);
  const value = (suffix: string) => samples.find((s) => s.name === `${name}_${suffix}`)?.value ?? 0;
  return { buckets, sum: value('sum'), count: value('count') };
}

/** What was observed between two scrapes of the same histogram. */
export function histogramDelta(before: Histogram, after: Histogram): Histogram {
  const earlier = new Map(before.buckets.map((b) => [b.le, b.count]));
  return {
    buckets: after.buckets.map((b) => ({ le: b.le, count: b.count - (earlier.get(b.le) ?? 0) })),
    sum: after.sum - before.sum,
    count: after.count - before.count,
  };
}

/**
 * The upper bound of the bucket holding the q-quantile: "p99 ≤ this". Not interpolated, because
 * the buckets are coarse (…250 ms, 500 ms, 1 s…) and an interpolated value would claim a precision
 * the histogram does not have. NaN when nothing was observed.
 */
export function bucketQuantile(h: Histogram, q: number): number {
  if (h.count <= 0) return Number.NaN;
  const rank = q * h.count;
  return h.buckets.find((b) => b.count >= rank)?.le ?? Number.POSITIVE_INFINITY;
}

/** Upper bound of the highest bucket that gained an observation: "max ≤ this". */
export function bucketMax(h: Histogram): number {
  if (h.count <= 0) return Number.NaN;
  return h.buckets.find((b) => b.count >= h.count)?.le ?? Number.POSITIVE_INFINITY;
}

/** Sum of a counter over its series whose labels pass `where`. */
export function counterSum(samples: readonly PromSample[], name: string, where: (labels: Record<string, string>) => boolean = () => true): number {
  return samples.filter((s) => s.name === name && where(s.labels)).reduce((total, s) => total + s.value, 0);
}
