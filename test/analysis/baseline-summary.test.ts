import { describe, expect, it } from 'vitest';
import { addBaselineReadings, emptyBaselineHistory, type BaselineReading } from '../../src/analysis/baseline-history.ts';
import { type BaselineHistory } from '../../src/domain/error-rate-evidence.ts';
import { summariseBaseline } from '../../src/analysis/baseline-summary.ts';
import { binomialUpperBound } from '../../src/analysis/binomial-bounds.ts';
import { DEFAULT_ERROR_RATE_SPEC } from '../../src/analysis/error-rate.ts';
import { resolveErrorRateTestSpec } from '../../src/analysis/error-rate-test-spec.ts';
import { binomial } from '../../bench/detection/discrete.ts';
import { mulberry32 } from '../../bench/detection/random.ts';

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

/** Consecutive stretches of steady traffic, 1,200 requests a minute: [minutes, rate] each. */
function segments(parts: readonly (readonly [number, number])[]): BaselineHistory {
  const readings: BaselineReading[] = [];
  let m = 0;
  for (const [minutes, rate] of parts) {
    let owed = 0;
    for (let i = 0; i < minutes; i++, m++) {
      owed += 1200 * rate;
      const errors = Math.floor(owed);
      owed -= errors;
      readings.push({ at: m * MINUTE + 1, requests: 1200, errors });
    }
  }
  return addBaselineReadings(emptyBaselineHistory(), readings);
}

/** The counts of the blocks that start in the last `minutes` of the history. */
function recentCounts(history: BaselineHistory, minutes: number) {
  const end = Math.max(...history.blocks.map((b) => b.end));
  const recent = history.blocks.filter((b) => b.start >= end - minutes * MINUTE);
  return { requests: recent.reduce((n, b) => n + b.requests, 0), errors: recent.reduce((n, b) => n + b.errors, 0) };
}

describe('summariseBaseline', () => {
  it('sets θ = max(floor, tolerance × bound) from the effective counts, baselineAlpha split between the day and the recent window', () => {
    const s = summariseBaseline(steady(6 * 60, 1200, 0.01), spec);
    expect(s.insufficient).toBeUndefined();
    expect(s.rate).toBeCloseTo(0.01, 6);
    expect(s.dispersion).toBe(1);
    // Six hours: the recent window is the whole baseline, so both bounds are the same.
    expect(s.upperBound).toBeCloseTo(binomialUpperBound(s.errors, s.requests, spec.baselineAlpha / 2), 12);
    expect(s.recentUpperBound).toBeCloseTo(s.upperBound, 12);
    expect(s.threshold).toBeCloseTo(2 * s.upperBound, 12);
    expect(s.thresholdBasis).toBe('baseline');
    expect(s.bursty).toBe(false);
    expect(JSON.parse(JSON.stringify(s))).toEqual(s);
  });

  it('follows the recent level when the last hours ran below the day (a deploy at the daily trough)', () => {
    // 18 hours at 1.2 %, then 6 hours at 0.6 %: the day's mean (1.05 %) would put θ near 2.1 %.
    const history = segments([
      [18 * 60, 0.012],
      [6 * 60, 0.006],
    ]);
    const s = summariseBaseline(history, spec);
    const recent = recentCounts(history, 6 * 60);
    expect(s.recentUpperBound).toBeCloseTo(binomialUpperBound(recent.errors, recent.requests, spec.baselineAlpha / 2), 12);
    expect(s.upperBound).toBe(s.recentUpperBound);
    expect(s.upperBound).toBeLessThan(0.0075);
    expect(s.threshold).toBeCloseTo(Math.max(spec.absoluteFloor, 2 * s.upperBound), 12);
    expect(s.threshold).toBeLessThan(0.015);
  });

  it('never raises θ above the day\'s bound when the last hours ran higher (the tolerance covers a daily peak)', () => {
    const s = summariseBaseline(segments([[18 * 60, 0.01], [6 * 60, 0.015]]), spec);
    expect(s.recentUpperBound).toBeGreaterThan(0.015);
    expect(s.upperBound).toBeCloseTo(binomialUpperBound(s.errors, s.requests, spec.baselineAlpha / 2), 12);
  });

  it('uses the day alone when the recent window is too thin to bound anything', () => {
    // A quiet app: a day holds enough requests, its last six hours do not.
    const s = summariseBaseline(steady(24 * 60, 0.5, 0.03), spec);
    expect(s.insufficient).toBeUndefined();
    expect(s.recentUpperBound).toBeUndefined();
    expect(s.upperBound).toBeCloseTo(binomialUpperBound(s.errors, s.requests, spec.baselineAlpha / 2), 12);
  });

  it('keeps its promise on a steady app with independent errors: the bound is below the true rate in at most baselineAlpha of baselines', () => {
    const loose = { ...spec, baselineAlpha: 0.1, minBaselineSpanMs: 0 };
    const random = mulberry32(20261204);
    const runs = 1000;
    let missed = 0;
    for (let run = 0; run < runs; run++) {
      const readings = Array.from({ length: 12 * 60 }, (_, m) => ({ at: m * MINUTE + 1, requests: 200, errors: binomial(random, 200, 0.01) }));
      if (summariseBaseline(addBaselineReadings(emptyBaselineHistory(), readings), loose).upperBound < 0.01) missed += 1;
    }
    // The promise, with the lower of two bounds taken. The Chernoff bound is conservative, so this
    // passes even without the split; the first test checks the split exactly.
    expect(missed / runs).toBeLessThanOrEqual(0.1);
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
