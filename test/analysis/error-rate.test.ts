import { describe, expect, it } from 'vitest';
import {
  DEFAULT_ERROR_RATE_SPEC,
  describeErrorRateJudgment,
  judgeErrorRate,
  type ErrorRateEvidence,
  type ErrorRatePhase,
  type ErrorRateReason,
} from '../../src/analysis/error-rate.ts';

const spec = DEFAULT_ERROR_RATE_SPEC;
/** A large, clean-ish previous release: 0.5 % errors, so the threshold is ≈ 1.06 %. */
const baseline = { baselineRequests: 1_000_000, baselineErrors: 5_000 };
const evidence = (requests: number, errors: number, extra: Partial<ErrorRateEvidence> = {}): ErrorRateEvidence => ({
  requests,
  errors,
  ...baseline,
  ...extra,
});

describe('judgeErrorRate', () => {
  it.each<[string, ErrorRateEvidence, ErrorRatePhase, ErrorRateReason]>([
    ['zero traffic', evidence(0, 0), 'inconclusive', 'insufficient-traffic'],
    ['zero traffic and no baseline', evidence(0, 0, { baselineRequests: 0, baselineErrors: 0 }), 'inconclusive', 'insufficient-traffic'],
    ['traffic below minRequests, even all errors below the ceiling minimum', evidence(10, 10), 'inconclusive', 'insufficient-traffic'],
    ['traffic below minRequests with a high but sub-ceiling rate', evidence(40, 8), 'inconclusive', 'insufficient-traffic'],
    ['NaN requests', evidence(Number.NaN, 0), 'inconclusive', 'invalid-input'],
    ['NaN errors', evidence(1000, Number.NaN), 'inconclusive', 'invalid-input'],
    ['negative requests (unhandled counter reset)', evidence(-500, 3), 'inconclusive', 'invalid-input'],
    ['negative errors (unhandled counter reset)', evidence(1000, -4), 'inconclusive', 'invalid-input'],
    ['infinite requests', evidence(Number.POSITIVE_INFINITY, 900), 'inconclusive', 'invalid-input'],
    ['more errors than requests', evidence(100, 101), 'inconclusive', 'invalid-input'],
    ['negative baseline', evidence(1000, 900, { baselineRequests: -1 }), 'inconclusive', 'invalid-input'],
    ['more baseline errors than baseline requests', evidence(1000, 900, { baselineRequests: 5, baselineErrors: 6 }), 'inconclusive', 'invalid-input'],
    ['a reset flagged by the caller, even with damning counts', evidence(1000, 900, { reset: true }), 'inconclusive', 'counter-reset'],
    ['the rate is above the ceiling at minRequestsForCeiling', evidence(20, 11), 'failed', 'ceiling'],
    ['a hard-down release (every request fails)', evidence(25, 25), 'failed', 'ceiling'],
    ['the rate is clearly above the threshold', evidence(2000, 80), 'failed', 'sequential-test'],
    ['the rate is above the threshold but evidence is thin', evidence(200, 4), 'inconclusive', 'above-threshold-unconfirmed'],
    ['the rate is within the threshold', evidence(2000, 12), 'successful', 'within-bound'],
    ['no errors at all', evidence(60, 0), 'successful', 'within-bound'],
    ['zero baseline errors and a clean release', evidence(5000, 30, { baselineErrors: 0 }), 'successful', 'within-bound'],
  ])('when %s then %s', (_label, e, phase, reason) => {
    const j = judgeErrorRate(spec, e);
    expect(j).toMatchObject({ phase, reason });
    expect(describeErrorRateJudgment(spec, j)).not.toBe('');
  });

  it('answers inconclusive for an invalid spec instead of throwing', () => {
    const j = judgeErrorRate({ ...spec, alpha: 0 }, evidence(2000, 1000));
    expect(j).toMatchObject({ phase: 'inconclusive', reason: 'invalid-spec' });
    expect(j.problem).toContain('alpha');
  });

  it('takes the threshold from the floor when the baseline saw no errors', () => {
    const j = judgeErrorRate(spec, evidence(5000, 30, { baselineErrors: 0 }));
    expect(j.thresholdBasis).toBe('absolute-floor');
    expect(j.threshold).toBe(spec.absoluteFloor);
    expect(j.baselineRate).toBe(0);
  });

  it('fails on the ceiling at once, with no statistics needed', () => {
    const j = judgeErrorRate(spec, evidence(spec.minRequestsForCeiling, 11));
    expect(j).toMatchObject({ phase: 'failed', reason: 'ceiling', rate: 0.55 });
    // one request fewer is not enough for the ceiling, and below minRequests nothing else fails
    expect(judgeErrorRate(spec, evidence(spec.minRequestsForCeiling - 1, 19)).phase).toBe('inconclusive');
  });

  it('explains a sequential-test failure with its numbers', () => {
    const j = judgeErrorRate(spec, evidence(2000, 80));
    expect(j.logStatistic).toBeGreaterThanOrEqual(j.logBoundary);
    expect(j.logBoundary).toBeCloseTo(Math.log(1000), 12);
    expect(j.rate).toBe(0.04);
    expect(j.threshold).toBeGreaterThan(0.01);
    expect(j.threshold).toBeLessThan(0.0115);
    expect(describeErrorRateJudgment(spec, j)).toBe(
      '80/2000 errors (4.00%) exceeds threshold 1.05% (baseline, baseline 0.50%); log e-value 44.85 vs 6.91',
    );
  });

  it('never fails on unusable input, whatever the numbers', () => {
    const weird = [Number.NaN, -1, -1e9, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY];
    for (const bad of weird) {
      for (const field of ['requests', 'errors', 'baselineRequests', 'baselineErrors'] as const) {
        const e = { ...evidence(1000, 900), [field]: bad };
        expect(judgeErrorRate(spec, e).phase).toBe('inconclusive');
      }
    }
  });
});
