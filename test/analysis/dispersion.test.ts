/**
 * The dispersion estimate on synthetic baselines whose true dispersion is known: independent errors
 * (φ = 1), minute-to-minute beta-binomial overdispersion, a slow daily trend (not noise), and
 * bursts (handled elsewhere, so they must not blind the test).
 */
import { describe, expect, it } from 'vitest';
import { binomial, poisson } from '../../bench/detection/discrete.ts';
import { meanOneGamma, mulberry32, type Uniform } from '../../bench/detection/random.ts';
import { addBaselineReadings, emptyBaselineHistory, type BaselineReading } from '../../src/analysis/baseline-history.ts';
import { dispersionAtHorizon, estimateDispersion } from '../../src/analysis/dispersion.ts';

const MINUTE = 60_000;

/** A day of 1-minute readings at `perMinute` requests; the minute's rate is `rateOf(minute, u)`. */
function day(seed: number, perMinute: number, rateOf: (minute: number, u: Uniform) => number, hours = 24): BaselineReading[] {
  const u = mulberry32(seed);
  const out: BaselineReading[] = [];
  for (let m = 0; m < hours * 60; m++) {
    const requests = poisson(u, perMinute);
    out.push({ at: m * MINUTE + 30_000, requests, errors: binomial(u, requests, Math.min(1, rateOf(m, u))) });
  }
  return out;
}

const estimate = (rs: BaselineReading[]) => estimateDispersion(addBaselineReadings(emptyBaselineHistory(), rs).blocks);

describe('estimateDispersion', () => {
  it('is about 1 for independent errors, at both scales', () => {
    const d = estimate(day(1, 1200, () => 0.01));
    expect(d.short).toBeLessThan(1.15);
    expect(d.long).toBeLessThan(1.35);
    expect(d.groups).toBeGreaterThan(100);
  });

  it('sees rate noise that is independent from minute to minute at the minute scale', () => {
    // Per-minute Gamma multiplier with CV 0.5 on 12 expected errors: φ = 1 + 12 × 0.25 = 4 per minute.
    const d = estimate(day(2, 1200, (_m, u) => 0.01 * meanOneGamma(u, 4)));
    expect(d.short).toBeGreaterThan(3.2);
    expect(d.short).toBeLessThan(4.8);
  });

  it('sees a rate that stays off for many minutes at the long scale, and more there than at the minute scale', () => {
    // The multiplier changes every 20 minutes: invisible within a few minutes, large over hours.
    let level = 1;
    const d = estimate(
      day(3, 1200, (m, u) => {
        if (m % 20 === 0) level = meanOneGamma(u, 4);
        return 0.01 * level;
      }),
    );
    expect(d.long).toBeGreaterThan(3 * d.short);
  });

  it('does not take a slow daily swing of ±30% for noise', () => {
    const d = estimate(day(4, 1200, (m) => 0.01 * (1 + 0.3 * Math.sin((2 * Math.PI * m) / 1440))));
    expect(d.long).toBeLessThan(1.25);
  });

  it('sets hourly bursts aside instead of letting them inflate φ', () => {
    // 10 s at 100% errors once an hour: 200 extra errors in one minute.
    const rs = day(5, 1200, () => 0.01).map((r, m) => (m % 60 === 17 ? { ...r, errors: r.errors + 200 } : r));
    const d = estimate(rs);
    expect(d.short).toBeLessThan(1.3);
    expect(d.long).toBeLessThan(1.6);
  });

  it('returns 1 without enough of a baseline to estimate from', () => {
    expect(estimate(day(6, 1200, () => 0.01, 0.5))).toEqual({ short: 1, long: 1, groups: 0 });
    expect(estimate(day(7, 1200, () => 0))).toEqual({ short: 1, long: 1, groups: 0 });
  });

  it.each([
    [10_000, 2],
    [60_000, 2],
    [300_000, 8],
    [3_600_000, 8],
  ])('at a horizon of %i ms uses φ = %f of short 2, long 8', (horizon, expected) => {
    expect(dispersionAtHorizon({ short: 2, long: 8 }, horizon)).toBeCloseTo(expected, 10);
  });

  it('interpolates in log time between a minute and the group scale', () => {
    const mid = dispersionAtHorizon({ short: 2, long: 8 }, Math.sqrt(60_000 * 300_000));
    expect(mid).toBeCloseTo(5, 10);
  });
});
