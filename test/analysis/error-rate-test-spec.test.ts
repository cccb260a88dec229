import { describe, expect, it } from 'vitest';
import { DEFAULT_ERROR_RATE_SPEC } from '../../src/analysis/error-rate.ts';
import {
  DEFAULT_ERROR_RATE_TEST_SETTINGS,
  errorRateTestSettings,
  errorRateTestSpecProblems,
  resolveErrorRateTestSpec,
  testBoundaries,
  type ErrorRateTestSpec,
} from '../../src/analysis/error-rate-test-spec.ts';

const spec = resolveErrorRateTestSpec(DEFAULT_ERROR_RATE_SPEC);

describe('resolveErrorRateTestSpec', () => {
  it('splits alpha: a quarter to the baseline bound by default, so the total is alpha', () => {
    expect(spec.baselineAlpha).toBeCloseTo(DEFAULT_ERROR_RATE_SPEC.alpha / 4, 15);
    expect(testBoundaries(spec).testAlpha + spec.baselineAlpha).toBeCloseTo(spec.alpha, 15);
    expect(spec).toMatchObject(DEFAULT_ERROR_RATE_TEST_SETTINGS);
    expect(errorRateTestSpecProblems(spec)).toEqual([]);
  });

  it('keeps what the old spec and the config set, and ignores what they leave undefined', () => {
    const config = { baselineAlpha: 0.0001, minDecision: 15_000, changeShare: undefined, maxWindow: 600_000 };
    const resolved = resolveErrorRateTestSpec({ ...DEFAULT_ERROR_RATE_SPEC, minBaselineRequests: 500, ...errorRateTestSettings(config) });
    expect(resolved).toMatchObject({ baselineAlpha: 0.0001, minDecisionMs: 15_000, changeShare: 0.5, changeHorizonMs: 600_000, minBaselineRequests: 500 });
  });

  it('rejects at M ≥ 1/testAlpha + w0, so evidence since the deploy alone needs log(1/(testAlpha · w0) + 1)', () => {
    const b = testBoundaries(spec);
    expect(b.logBoundary).toBeCloseTo(Math.log(1 / 0.00075 + 0.5), 12);
    expect(b.logDeployBoundary).toBeCloseTo(Math.log(1 / (0.00075 * 0.5) + 1), 12);
    expect(b.changeWeightPerMs * spec.changeHorizonMs).toBeCloseTo(spec.changeShare, 12);
  });

  it.each<[string, Partial<ErrorRateTestSpec>, string]>([
    ['baselineAlpha as large as alpha', { baselineAlpha: 0.001 }, 'baselineAlpha'],
    ['a change share of 1', { changeShare: 1 }, 'changeShare'],
    ['a bursty decision faster than the normal one', { burstyMinDecisionMs: 5_000 }, 'burstyMinDecisionMs'],
    ['no change horizon', { changeHorizonMs: 0 }, 'changeHorizonMs'],
    ['a negative persistence', { ceilingPersistenceMs: -1 }, 'ceilingPersistenceMs'],
    ['an old-spec problem', { alpha: 2 }, 'alpha'],
  ])('rejects %s', (_label, change, field) => {
    expect(errorRateTestSpecProblems({ ...spec, ...change }).join('; ')).toContain(field);
  });
});
