import { describe, expect, it } from 'vitest';
import { LAG_METRIC, MEASUREMENTS_METRIC, bucketMax, bucketQuantile, counterSum, histogram, histogramDelta, parseScrape } from '../../../bench/scale/daemon-metrics.ts';

const scrape = (buckets: number[], sum: number, extra = '') =>
  parseScrape(
    `# TYPE ${LAG_METRIC} histogram
${['0.001', '0.01', '0.1', '1', '+Inf'].map((le, i) => `${LAG_METRIC}_bucket{le="${le}"} ${buckets[i]}`).join('\n')}
${LAG_METRIC}_sum ${sum}
${LAG_METRIC}_count ${buckets.at(-1)}
${extra}`,
    0,
  );

describe('scale bench: daemon metrics', () => {
  const before = scrape([10, 10, 10, 10, 10], 0.005);
  // In the window: 90 on time (≤ 1 ms), 8 within 10 ms, 1 within 100 ms, 1 within 1 s.
  const after = scrape([100, 108, 109, 110, 110], 0.6);
  const window = histogramDelta(histogram(before.samples, LAG_METRIC), histogram(after.samples, LAG_METRIC));

  it('keeps only what the window observed', () => {
    expect(window.count).toBe(100);
    expect(window.sum).toBeCloseTo(0.595);
    expect(window.buckets.map((b) => b.count)).toEqual([90, 98, 99, 100, 100]);
  });

  it('quantiles are the upper bound of the bucket that holds them', () => {
    expect(bucketQuantile(window, 0.5)).toBe(0.001);
    expect(bucketQuantile(window, 0.95)).toBe(0.01);
    expect(bucketQuantile(window, 0.99)).toBe(0.1);
    expect(bucketMax(window)).toBe(1);
  });

  it('beyond the last finite bucket is +Inf; nothing observed is NaN', () => {
    const late = histogramDelta(histogram(before.samples, LAG_METRIC), histogram(scrape([10, 10, 10, 10, 20], 50).samples, LAG_METRIC));
    expect(bucketQuantile(late, 0.5)).toBe(Number.POSITIVE_INFINITY);
    expect(bucketQuantile(histogramDelta(window, window), 0.5)).toBeNaN();
  });

  it('sums a counter over its series, optionally filtered by label', () => {
    const s = scrape([0, 0, 0, 0, 0], 0, `${MEASUREMENTS_METRIC}{target="a",check="health",phase="successful"} 40
${MEASUREMENTS_METRIC}{target="a",check="ready",phase="failed"} 2
${MEASUREMENTS_METRIC}{target="b",check="health",phase="successful"} 38`);
    expect(counterSum(s.samples, MEASUREMENTS_METRIC)).toBe(80);
    expect(counterSum(s.samples, MEASUREMENTS_METRIC, (l) => l.phase !== 'successful')).toBe(2);
  });
});
