import { describe, expect, it } from 'vitest';
import { fixedThresholdBreached, FLAGGER_STYLE_RULE, type IntervalCounts } from '../../src/analysis/fixed-threshold-rule.ts';

const at = (s: number, requests: number, errors: number): IntervalCounts => ({ at: s * 1000, requests, errors });

describe('fixedThresholdBreached (5 % over the last minute)', () => {
  it.each<[string, IntervalCounts[], number, boolean]>([
    ['the last minute is above 5 %', [at(55, 50, 3), at(60, 50, 3)], 60, true],
    ['the last minute is exactly 5 %', [at(60, 100, 5)], 60, false],
    ['the bad interval is older than a minute', [at(0, 10, 10), at(60, 100, 0)], 60, false],
    ['the window has no requests', [at(60, 0, 0)], 60, false],
    ['a single error in two requests', [at(60, 2, 1)], 60, true],
  ])('when %s then breached is %s', (_label, intervals, nowSeconds, breached) => {
    expect(fixedThresholdBreached(FLAGGER_STYLE_RULE, intervals, nowSeconds * 1000)).toBe(breached);
  });
});
