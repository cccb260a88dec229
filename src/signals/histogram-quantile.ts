/**
 * Prometheus' histogram_quantile for one histogram, so a latency can be computed from an app's own
 * /metrics without a Prometheus server. Pure. Follows promql/quantile.go (bucketQuantile): linear
 * interpolation inside the bucket holding the rank, assuming the lowest bucket starts at 0.
 */

export interface Bucket {
  /** Upper bound (`le`), `Infinity` for the `+Inf` bucket. */
  le: number;
  /** Cumulative count of observations ≤ le. */
  count: number;
}

/**
 * The `q` quantile of cumulative `buckets` (any order). Same edge cases as Prometheus:
 * q < 0 → -Inf, q > 1 → +Inf, NaN q → NaN; NaN without a `+Inf` bucket, with fewer than two
 * buckets or with no observations; a rank in the `+Inf` bucket → the highest finite bound.
 */
export function histogramQuantile(buckets: readonly Bucket[], q: number): number {
  if (Number.isNaN(q)) return Number.NaN;
  if (q < 0) return Number.NEGATIVE_INFINITY;
  if (q > 1) return Number.POSITIVE_INFINITY;
  const sorted = coalesce(buckets);
  const last = sorted.at(-1);
  if (sorted.length < 2 || last === undefined || last.le !== Number.POSITIVE_INFINITY) return Number.NaN;
  // Counts scraped at slightly different moments can dip; Prometheus flattens that (ensureMonotonic).
  let max = 0;
  const counts = sorted.map((b) => (max = Math.max(max, b.count)));
  const total = counts.at(-1) ?? 0;
  if (total === 0) return Number.NaN;

  const rank = q * total;
  const index = counts.findIndex((count) => count >= rank);
  const upper = sorted[index]?.le ?? Number.NaN;
  // Beyond the last finite bound there is nothing to interpolate against.
  if (index === sorted.length - 1) return sorted[sorted.length - 2]?.le ?? Number.NaN;
  // A first bucket with a bound ≤ 0 cannot be interpolated from 0.
  if (index === 0 && upper <= 0) return upper;
  const lower = index === 0 ? 0 : (sorted[index - 1]?.le ?? 0);
  const below = index === 0 ? 0 : (counts[index - 1] ?? 0);
  const inBucket = (counts[index] ?? 0) - below;
  return lower + (upper - lower) * ((rank - below) / inBucket);
}

/** Sorted by bound; buckets with the same bound (from several series) summed, as Prometheus does. */
function coalesce(buckets: readonly Bucket[]): Bucket[] {
  const byBound = new Map<number, number>();
  for (const b of buckets) byBound.set(b.le, (byBound.get(b.le) ?? 0) + b.count);
  return [...byBound].map(([le, count]) => ({ le, count })).sort((a, b) => a.le - b.le);
}
