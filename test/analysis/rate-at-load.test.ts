import { describe, expect, it } from 'vitest';
import { binomial, poisson } from '../../bench/detection/discrete.ts';
import { mulberry32 } from '../../bench/detection/random.ts';
import { addBaselineReadings, emptyBaselineHistory, type BaselineReading } from '../../src/analysis/baseline-history.ts';
import { summariseBaseline } from '../../src/analysis/baseline-summary.ts';
import { binomialUpperBound } from '../../src/analysis/binomial-bounds.ts';
import { DEFAULT_ERROR_RATE_SPEC } from '../../src/analysis/error-rate.ts';
import { describeErrorRateTestJudgment } from '../../src/analysis/error-rate-test-judgment.ts';
import { resolveErrorRateTestSpec } from '../../src/analysis/error-rate-test-spec.ts';
import { startErrorRateTest, stepErrorRateTest } from '../../src/analysis/error-rate-test.ts';
import { rateAtRecentLoad } from '../../src/analysis/rate-at-load.ts';
import type { BaselineHistory } from '../../src/domain/error-rate-evidence.ts';
import { binomialUpperQuantile } from './null-simulation.ts';

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;
const spec = resolveErrorRateTestSpec(DEFAULT_ERROR_RATE_SPEC);

/** A day's swing of the load, ending at `endPhase` (radians of the day's sine). */
const swing = (m: number, amplitude: number, endPhase: number) => 1 + amplitude * Math.sin(endPhase - (2 * Math.PI * (DAY_MINUTES - 1 - m)) / DAY_MINUTES);

/**
 * A day of 1-minute readings whose load swings ±30 % and ends at `endPhase`; the error rate is
 * `rate` × load^`exponent` / its mean (1: the rate follows the load; 0: it does not). Errors are
 * spread evenly (no noise) unless `u` is given.
 */
function day(o: { perMinute: number; rate: number; exponent: number; endPhase: number; u?: () => number; gap?: [number, number] }): { history: BaselineHistory; rateNow: number } {
  const readings: BaselineReading[] = [];
  let owed = 0;
  let rateNow = 0;
  let unread = { requests: 0, errors: 0 };
  for (let m = 0; m < DAY_MINUTES; m++) {
    const load = swing(m, 0.3, o.endPhase);
    const rate = o.rate * load ** o.exponent;
    rateNow = rate;
    const requests = o.u ? poisson(o.u, o.perMinute * load) : Math.round(o.perMinute * load);
    let errors: number;
    if (o.u) errors = binomial(o.u, requests, rate);
    else {
      owed += requests * rate;
      errors = Math.floor(owed);
      owed -= errors;
    }
    // While the source cannot be read, the counts pile up for the next reading that succeeds.
    unread = { requests: unread.requests + requests, errors: unread.errors + errors };
    if (o.gap && m >= o.gap[0] && m < o.gap[1]) continue;
    readings.push({ at: m * MINUTE + 1, ...unread });
    unread = { requests: 0, errors: 0 };
  }
  return { history: addBaselineReadings(emptyBaselineHistory(), readings), rateNow };
}

/**
 * A day of 1-minute readings at two loads: `high` requests a minute for its first half, `low` for
 * the second, each at an error rate in proportion to its load (`rateAtLow` at the low one).
 */
function twoLoads(high: number, low: number, rateAtLow: number): BaselineHistory {
  let owed = 0;
  const readings = Array.from({ length: DAY_MINUTES }, (_, m) => {
    const requests = m < DAY_MINUTES / 2 ? high : low;
    owed += requests * rateAtLow * (requests / low);
    const errors = Math.floor(owed);
    owed -= errors;
    return { at: m * MINUTE + 1, requests, errors };
  });
  return addBaselineReadings(emptyBaselineHistory(), readings);
}

const dayCounts = (h: BaselineHistory) => [h.blocks.reduce((s, b) => s + b.errors, 0), h.blocks.reduce((s, b) => s + b.requests, 0)] as const;

const TROUGH = -Math.PI / 2;
const PEAK = Math.PI / 2;

describe('rateAtRecentLoad', () => {
  it('finds a rate that follows the load, and gives the rate at the recent (trough) load', () => {
    const { history, rateNow } = day({ perMinute: 1200, rate: 0.01, exponent: 1, endPhase: TROUGH });
    const fit = rateAtRecentLoad(history.blocks, 1);
    expect(fit).not.toBeNull();
    expect(fit!.slope).toBeCloseTo(1, 1);
    expect(fit!.loadRatio).toBeCloseTo(0.7, 1);
    expect(fit!.rate / rateNow).toBeCloseTo(1, 1);
  });

  it('gives no fit where the rate does not follow the load: the day\'s rate stands', () => {
    const { history } = day({ perMinute: 1200, rate: 0.01, exponent: 0, endPhase: PEAK });
    expect(rateAtRecentLoad(history.blocks, 1)).toBeNull();
  });

  it('near the mean load, is worth nearly the day\'s own effective counts', () => {
    // A quarter of the way into the rising side the load is at its mean.
    const { history } = day({ perMinute: 1200, rate: 0.01, exponent: 1, endPhase: 0 });
    const phi = 4;
    const fit = rateAtRecentLoad(history.blocks, phi)!;
    const errors = history.blocks.reduce((s, b) => s + b.errors, 0);
    expect(fit.loadRatio).toBeCloseTo(1, 1);
    expect(fit.effectiveErrors / (errors / phi)).toBeGreaterThan(0.8);
    expect(fit.effectiveErrors / (errors / phi)).toBeLessThanOrEqual(1.0001);
  });

  it('at one of two loads, predicts that load\'s own rate and is worth its own errors, over φ', () => {
    // Two loads make the fit exact at each: the prediction at the recent (low) load is the low
    // half's rate, and Var(log p̂) = φ / its errors.
    const history = twoLoads(1800, 1200, 0.01);
    const lowErrors = history.blocks.filter((b) => b.start >= (DAY_MINUTES / 2) * MINUTE).reduce((n, b) => n + b.errors, 0);
    const fit = rateAtRecentLoad(history.blocks, 2)!;
    expect(fit.slope).toBeCloseTo(1, 2);
    expect(fit.rate).toBeCloseTo(0.01, 4);
    expect(fit.effectiveErrors).toBeCloseTo(lowErrors / 2, 0);
  });

  it('asks the slope to stand out of the noise that φ says the counts have', () => {
    // The same design with few requests: the slope is about 5 standard errors from zero at φ = 1,
    // about 2.5 at φ = 4, which is no evidence: the day's rate then.
    const history = twoLoads(45, 30, 0.01);
    expect(rateAtRecentLoad(history.blocks, 1)).not.toBeNull();
    expect(rateAtRecentLoad(history.blocks, 4)).toBeNull();
  });

  it('reads the current load past a reading that carried a gap\'s counts', () => {
    // The source could not be read for 30 minutes; the next reading carries them all, in one block.
    const clean = rateAtRecentLoad(day({ perMinute: 1200, rate: 0.01, exponent: 1, endPhase: TROUGH }).history.blocks, 1)!;
    const gapped = rateAtRecentLoad(day({ perMinute: 1200, rate: 0.01, exponent: 1, endPhase: TROUGH, gap: [DAY_MINUTES - 40, DAY_MINUTES - 10] }).history.blocks, 1)!;
    expect(gapped.loadRatio / clean.loadRatio).toBeGreaterThan(0.95);
    expect(gapped.loadRatio / clean.loadRatio).toBeLessThan(1.05);
    expect(gapped.slope).toBeCloseTo(clean.slope, 1);
  });

  it('keeps the day\'s rate where the error rate follows the time of day but not the load', () => {
    // The rate swings as much as the load, 3 hours behind it: a slope can be fitted, but its
    // residuals are far beyond what φ allows.
    const readings: BaselineReading[] = [];
    let owed = 0;
    for (let m = 0; m < DAY_MINUTES; m++) {
      const requests = Math.round(1200 * swing(m, 0.3, 0));
      owed += requests * 0.01 * swing(m - 3 * 60, 0.3, 0);
      const errors = Math.floor(owed);
      owed -= errors;
      readings.push({ at: m * MINUTE + 1, requests, errors });
    }
    expect(rateAtRecentLoad(addBaselineReadings(emptyBaselineHistory(), readings).blocks, 1)).toBeNull();
  });

  it('is worth less far from the mean load, where the slope\'s uncertainty counts', () => {
    const atMean = rateAtRecentLoad(day({ perMinute: 1200, rate: 0.01, exponent: 1, endPhase: 0 }).history.blocks, 1)!;
    const atTrough = rateAtRecentLoad(day({ perMinute: 1200, rate: 0.01, exponent: 1, endPhase: TROUGH }).history.blocks, 1)!;
    expect(atTrough.effectiveErrors).toBeLessThan(atMean.effectiveErrors / 2);
  });

  it.each([
    ['a steady load (no slope to see)', day({ perMinute: 1200, rate: 0.01, exponent: 0, endPhase: 0 }).history.blocks.map((b) => ({ ...b, requests: (b.end - b.start) / 50, errors: Math.round((b.end - b.start) / 5000) }))],
    ['no errors at all', day({ perMinute: 1200, rate: 0, exponent: 1, endPhase: 0 }).history.blocks],
    ['too few blocks', day({ perMinute: 1200, rate: 0.01, exponent: 1, endPhase: 0 }).history.blocks.slice(-5)],
  ])('gives no fit for %s', (_label, blocks) => {
    expect(rateAtRecentLoad(blocks, 1)).toBeNull();
  });

  it('bounds the rate at the recent load as often as it promises (noisy days, δ = 5 %)', () => {
    const u = mulberry32(20261205);
    const runs = 400;
    let misses = 0;
    let fitted = 0;
    for (let r = 0; r < runs; r++) {
      const phase = 2 * Math.PI * u();
      const { history, rateNow } = day({ perMinute: 20, rate: 0.02, exponent: 1, endPhase: phase, u });
      // The bound the summary takes: the fit's, or the day's where the slope was not clear.
      const fit = rateAtRecentLoad(history.blocks, 1);
      const [errors, requests] = fit === null ? dayCounts(history) : [fit.effectiveErrors, fit.effectiveRequests];
      if (fit !== null) fitted += 1;
      if (binomialUpperBound(errors, requests, 0.05) < rateNow) misses += 1;
    }
    expect(fitted).toBeGreaterThan(0.8 * runs);
    // The binomial tail of 5 % misses: this cannot flake, and a bound that ignored the slope would miss far more often at the peaks.
    expect(misses).toBeLessThanOrEqual(binomialUpperQuantile(runs, 0.05, 1e-6));
  });
});

describe('summariseBaseline with a load that swings', () => {
  it('sets θ from the rate at the recent load: lower at the trough, higher at the peak than the day\'s', () => {
    const trough = summariseBaseline(day({ perMinute: 1200, rate: 0.01, exponent: 1, endPhase: TROUGH }).history, spec);
    const peak = summariseBaseline(day({ perMinute: 1200, rate: 0.01, exponent: 1, endPhase: PEAK }).history, spec);
    const dayBound = (s: typeof trough) => binomialUpperBound(s.effectiveErrors, s.effectiveRequests, spec.baselineAlpha);
    expect(trough.rateAtLoad?.slope).toBeCloseTo(1, 1);
    expect(trough.upperBound).toBeLessThan(0.85 * dayBound(trough));
    expect(peak.upperBound).toBeGreaterThan(1.15 * dayBound(peak));
    expect(trough.threshold).toBeCloseTo(2 * trough.upperBound, 12);
    expect(JSON.parse(JSON.stringify(trough))).toEqual(trough);
  });

  it('judges against the rate at this load, and says so', () => {
    const baseline = summariseBaseline(day({ perMinute: 1200, rate: 0.01, exponent: 1, endPhase: TROUGH }).history, spec);
    const { judgment } = stepErrorRateTest(startErrorRateTest(0), { at: 5_000, requests: 100, errors: 1 }, baseline, spec);
    expect(judgment.baselineRate).toBe(baseline.rateAtLoad?.rate);
    expect(judgment.baselineRate).toBeLessThan(0.008);
    expect(describeErrorRateTestJudgment(spec, judgment)).toMatch(/baseline 0\.\d+% at 0\.7\d× its mean load/);
  });

  it('keeps the day\'s bound when thresholdFollowsLoad is off', () => {
    const s = summariseBaseline(day({ perMinute: 1200, rate: 0.01, exponent: 1, endPhase: TROUGH }).history, { ...spec, thresholdFollowsLoad: false });
    expect(s.rateAtLoad).toBeUndefined();
    expect(s.upperBound).toBeCloseTo(binomialUpperBound(s.effectiveErrors, s.effectiveRequests, spec.baselineAlpha), 12);
  });

  it('keeps the day\'s bound when the load is steady (no fit)', () => {
    const { history } = day({ perMinute: 1200, rate: 0.01, exponent: 0, endPhase: 0 });
    const steady = { blocks: history.blocks.map((b) => ({ ...b, requests: (b.end - b.start) / 50 })) };
    const s = summariseBaseline(steady, spec);
    expect(s.rateAtLoad).toBeUndefined();
    expect(s.upperBound).toBeCloseTo(binomialUpperBound(s.effectiveErrors, s.effectiveRequests, spec.baselineAlpha), 12);
  });
});
