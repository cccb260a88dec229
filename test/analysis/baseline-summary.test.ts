import { describe, expect, it } from 'vitest';
import { addBaselineReadings, emptyBaselineHistory } from '../../src/analysis/baseline-history.ts';
import { type BaselineHistory } from '../../src/domain/error-rate-evidence.ts';
import { summariseBaseline } from '../../src/analysis/baseline-summary.ts';
import { binomialUpperBound } from '../../src/analysis/binomial-bounds.ts';
import { DEFAULT_ERROR_RATE_SPEC } from '../../src/analysis/error-rate.ts';
import { resolveErrorRateTestSpec } from '../../src/analysis/error-rate-test-spec.ts';

const spec = resolveErrorRateTestSpec(DEFAULT_ERROR_RATE_SPEC);
const MINUTE = 60_000;

/** `minutes` of steady traffic: `perMinute` requests with errors spread evenly at `rate` (no noise). */
function steady(minutes: number, perMinute: number, rate: number, extra: (m: number) => number = () => 0): BaselineHistory {
  let owed = 0;
  const readings = Array.from({ length: minutes }, (_, m) => {
    owed += perMinute * rate;
    const errors = Math.floor(owed);
    owed -= errors;
    return { at: m * MINUTE + 1, requests: perMinute, errors: Math.min(perMinute, errors + extra(m)) };
  });
  return addBaselineReadings(emptyBaselineHistory(), readings);
}

describe('summariseBaseline', () => {
  it('sets θ = max(floor, tolerance × bound) from the effective counts, at baselineAlpha', () => {
    const s = summariseBaseline(steady(6 * 60, 1200, 0.01), spec);
    expect(s.insufficient).toBeUndefined();
    expect(s.rate).toBeCloseTo(0.01, 6);
    expect(s.dispersion).toBe(1);
    expect(s.upperBound).toBeCloseTo(binomialUpperBound(s.errors, s.requests, spec.baselineAlpha), 12);
    expect(s.threshold).toBeCloseTo(2 * s.upperBound, 12);
    expect(s.thresholdBasis).toBe('baseline');
    expect(s.bursty).toBe(false);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('takes the floor when twice the bound is below it', () => {
    const s = summariseBaseline(steady(6 * 60, 1200, 0.001), spec);
    expect(s).toMatchObject({ threshold: spec.absoluteFloor, thresholdBasis: 'absolute-floor' });
  });

  it.each([
    ['too few requests, even over a day', steady(24 * 60, 0.1, 0.03), 'too-few-requests'],
    ['plenty of requests over too short a time', steady(30, 12_000, 0.01), 'too-short'],
    ['no baseline at all', emptyBaselineHistory(), 'too-few-requests'],
  ] as const)('calls %s insufficient, with no threshold at all (not the floor)', (_label, history, why) => {
    const s = summariseBaseline(history, spec);
    expect(s).toMatchObject({ insufficient: why, threshold: null, thresholdBasis: 'none', bursty: false });
  });

  it('marks a baseline whose traffic had bursts as bursty', () => {
    const s = summariseBaseline(steady(6 * 60, 1200, 0.01, (m) => (m % 60 === 30 ? 200 : 0)), spec);
    expect(s.bursty).toBe(true);
    expect(s.peakEvidence).toBeGreaterThan(100);
  });

  it('divides the counts by φ, which widens the bound', () => {
    // Alternate minutes at 0.2% and 1.8%: heavy minute-to-minute dispersion around 1%.
    const s = summariseBaseline(steady(6 * 60, 1200, 0.01, (m) => (m % 2 === 0 ? -10 : 10)), spec);
    expect(s.shortDispersion).toBeGreaterThan(5);
    expect(s.effectiveRequests).toBeCloseTo(s.requests / s.dispersion, 6);
    expect(s.upperBound).toBeGreaterThan(binomialUpperBound(s.errors, s.requests, spec.baselineAlpha));
  });
});
