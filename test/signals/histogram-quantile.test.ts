import { describe, expect, it } from 'vitest';
import { histogramQuantile, type Bucket } from '../../src/signals/histogram-quantile.ts';

const inf = Number.POSITIVE_INFINITY;
/** 100 observations: 10 ≤ 0.1 s, 50 ≤ 0.5 s, 90 ≤ 1 s, all ≤ +Inf. */
const buckets: Bucket[] = [
  { le: 0.1, count: 10 },
  { le: 0.5, count: 50 },
  { le: 1, count: 90 },
  { le: inf, count: 100 },
];

describe('histogramQuantile (Prometheus semantics)', () => {
  it.each([
    ['the median, interpolated inside (0.1, 0.5]', 0.5, 0.5],
    ['p25, a quarter into (0.1, 0.5]', 0.25, 0.1 + 0.4 * (15 / 40)],
    ['p5, inside the first bucket from 0', 0.05, 0.05],
    ['p90, at a bucket boundary', 0.9, 1],
    ['p99, in the +Inf bucket: the highest finite bound', 0.99, 1],
    ['q = 0', 0, 0],
  ])('%s', (_what, q, expected) => {
    expect(histogramQuantile(buckets, q)).toBeCloseTo(expected, 10);
  });

  it('does not care about bucket order, and sums buckets with the same bound (several series)', () => {
    const twoSeries = [...buckets, ...buckets].reverse();
    expect(histogramQuantile(twoSeries, 0.5)).toBeCloseTo(0.5, 10);
  });

  it('flattens a count that dips (buckets scraped at slightly different moments)', () => {
    const dipping = [{ le: 0.1, count: 10 }, { le: 0.5, count: 9 }, { le: 1, count: 20 }, { le: inf, count: 20 }];
    expect(histogramQuantile(dipping, 0.5)).toBeCloseTo(0.1, 10);
  });

  it.each<[string, Bucket[], number, number]>([
    ['q below 0', buckets, -0.1, Number.NEGATIVE_INFINITY],
    ['q above 1', buckets, 1.1, inf],
    ['q NaN', buckets, Number.NaN, Number.NaN],
    ['no +Inf bucket', buckets.slice(0, 3), 0.5, Number.NaN],
    ['only the +Inf bucket', [{ le: inf, count: 5 }], 0.5, Number.NaN],
    ['no observations', buckets.map((b) => ({ ...b, count: 0 })), 0.5, Number.NaN],
    ['a first bound ≤ 0', [{ le: -1, count: 5 }, { le: 1, count: 10 }, { le: inf, count: 10 }], 0.2, -1],
  ])('edge case: %s', (_what, input, q, expected) => {
    expect(histogramQuantile(input, q)).toBe(expected);
  });
});
