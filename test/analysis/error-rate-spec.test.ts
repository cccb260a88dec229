import { describe, expect, it } from 'vitest';
import { binomialUpperBound } from '../../src/analysis/binomial-bounds.ts';
import { DEFAULT_ERROR_RATE_SPEC, errorRateSpecProblems, errorRateThreshold, type ErrorRateSpec } from '../../src/analysis/error-rate-spec.ts';

const spec = DEFAULT_ERROR_RATE_SPEC;

describe('errorRateSpecProblems', () => {
  it('accepts the defaults', () => {
    expect(errorRateSpecProblems(spec)).toEqual([]);
  });

  it.each<[string, Partial<ErrorRateSpec>, string]>([
    ['alpha is 0', { alpha: 0 }, 'alpha'],
    ['alpha is 1', { alpha: 1 }, 'alpha'],
    ['baselineAlpha is NaN', { baselineAlpha: Number.NaN }, 'baselineAlpha'],
    ['tolerance is below 1', { tolerance: 0.9 }, 'tolerance'],
    ['the floor is 0', { absoluteFloor: 0 }, 'absoluteFloor'],
    ['the ceiling is above 1', { ceiling: 1.5 }, 'ceiling'],
    ['the ceiling is below the floor', { ceiling: 0.005 }, 'ceiling must be above absoluteFloor'],
    ['minRequests is fractional', { minRequests: 2.5 }, 'minRequests'],
    ['minRequestsForCeiling is 0', { minRequestsForCeiling: 0 }, 'minRequestsForCeiling'],
  ])('when %s then it names the problem', (_label, patch, fragment) => {
    const problems = errorRateSpecProblems({ ...spec, ...patch });
    expect(problems.join('\n')).toContain(fragment);
  });
});

describe('errorRateThreshold', () => {
  it('uses the floor without a baseline', () => {
    expect(errorRateThreshold(spec, 0, 0)).toEqual({ threshold: 0.01, baselineRate: 0, baselineUpperBound: 1, basis: 'no-baseline' });
  });

  it('uses the floor when tolerance × the baseline bound is below it', () => {
    const t = errorRateThreshold(spec, 1_000_000, 1_000); // 0.1 %
    expect(t.basis).toBe('absolute-floor');
    expect(t.threshold).toBe(spec.absoluteFloor);
  });

  it('uses tolerance × the upper confidence bound, never the point estimate', () => {
    const t = errorRateThreshold(spec, 12_000, 120); // 1 %
    expect(t.basis).toBe('baseline');
    expect(t.baselineRate).toBe(0.01);
    expect(t.baselineUpperBound).toBeCloseTo(binomialUpperBound(120, 12_000, spec.alpha), 15);
    expect(t.threshold).toBeCloseTo(2 * t.baselineUpperBound, 15);
    expect(t.threshold).toBeGreaterThan(2 * t.baselineRate);
  });

  it('widens with a smaller baseline of the same rate', () => {
    const large = errorRateThreshold(spec, 100_000, 1_000).threshold;
    const small = errorRateThreshold(spec, 1_000, 10).threshold;
    expect(small).toBeGreaterThan(large);
  });

  it('uses baselineAlpha when given', () => {
    const strict = errorRateThreshold(spec, 12_000, 120).threshold;
    const lax = errorRateThreshold({ ...spec, baselineAlpha: 0.05 }, 12_000, 120).threshold;
    expect(lax).toBeLessThan(strict);
  });

  it('treats a baseline below minBaselineRequests as none: the floor is the bar', () => {
    expect(errorRateThreshold(spec, 4, 3)).toMatchObject({ threshold: spec.absoluteFloor, basis: 'no-baseline' });
    expect(errorRateThreshold({ ...spec, minBaselineRequests: 1 }, 4, 0).basis).toBe('baseline');
  });

  it('never puts the threshold above the ceiling', () => {
    expect(errorRateThreshold({ ...spec, minBaselineRequests: 1 }, 40, 30).threshold).toBe(spec.ceiling);
  });
});
