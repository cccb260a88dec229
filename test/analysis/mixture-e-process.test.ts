import { describe, expect, it } from 'vitest';
import { alternativesAbove, logMixtureStatistic, logSumExp } from '../../src/analysis/mixture-e-process.ts';

/** E[Λ_{n+1} / Λ_n] over one request with error probability p, for a given history (n, x). */
function oneStepExpectation(threshold: number, n: number, x: number, p: number): number {
  const now = logMixtureStatistic(threshold, n, x);
  const afterError = Math.exp(logMixtureStatistic(threshold, n + 1, x + 1) - now);
  const afterSuccess = Math.exp(logMixtureStatistic(threshold, n + 1, x) - now);
  return p * afterError + (1 - p) * afterSuccess;
}

describe('alternativesAbove', () => {
  it.each([0.001, 0.01, 0.05, 0.2, 0.6, 0.95])('when θ = %s then every alternative is in (θ, 1) and the weights sum to 1', (theta) => {
    const alternatives = alternativesAbove(theta);
    expect(alternatives.length).toBeGreaterThan(0);
    for (const a of alternatives) {
      expect(a.rate).toBeGreaterThan(theta);
      expect(a.rate).toBeLessThan(1);
    }
    expect(alternatives.reduce((s, a) => s + a.weight, 0)).toBeCloseTo(1, 12);
  });

  it('merges multipliers that hit the cap', () => {
    const alternatives = alternativesAbove(0.3); // ×3 and above all cap at 0.65
    const rates = alternatives.map((a) => a.rate);
    expect(rates).toHaveLength(4);
    [0.375, 0.45, 0.6, 0.65].forEach((rate, i) => expect(rates[i]).toBeCloseTo(rate, 12));
    expect(alternatives.at(-1)?.weight).toBeCloseTo(4 / 7, 12);
  });

  it.each([0, 1, -0.1, 1.5, Number.NaN])('when θ = %s then there is nothing to test', (theta) => {
    expect(alternativesAbove(theta)).toEqual([]);
    expect(logMixtureStatistic(theta, 100, 50)).toBe(Number.NEGATIVE_INFINITY);
  });
});

describe('logMixtureStatistic', () => {
  it('starts at Λ = 1', () => {
    expect(logMixtureStatistic(0.01, 0, 0)).toBeCloseTo(0, 12);
  });

  it('agrees with the direct formula where that does not overflow', () => {
    const theta = 0.02;
    const [n, x] = [300, 15];
    const direct = alternativesAbove(theta).reduce(
      (s, a) => s + a.weight * (a.rate / theta) ** x * ((1 - a.rate) / (1 - theta)) ** (n - x),
      0,
    );
    expect(logMixtureStatistic(theta, n, x)).toBeCloseTo(Math.log(direct), 10);
  });

  it('stays finite where the direct formula would overflow', () => {
    const value = logMixtureStatistic(0.001, 10_000_000, 2_000_000);
    expect(Number.isFinite(value)).toBe(true);
    expect(value).toBeGreaterThan(1000);
  });

  // The supermartingale property behind the anytime guarantee, checked exactly for many histories.
  it.each([0.001, 0.01, 0.1, 0.4])('when θ = %s and p ≤ θ then one more request does not raise E[Λ]', (theta) => {
    for (const [n, x] of [[0, 0], [10, 0], [100, 3], [1000, 40], [50, 49]] as const) {
      for (const p of [0, theta / 10, theta / 2, theta]) {
        expect(oneStepExpectation(theta, n, x, p)).toBeLessThanOrEqual(1 + 1e-12);
      }
      expect(oneStepExpectation(theta, n, x, theta)).toBeCloseTo(1, 12);
      // and above θ it grows, which is what makes the test powerful
      expect(oneStepExpectation(theta, n, x, Math.min(1, theta * 1.5))).toBeGreaterThan(1);
    }
  });
});

describe('logSumExp', () => {
  it('handles huge and empty inputs', () => {
    expect(logSumExp([1000, 1000])).toBeCloseTo(1000 + Math.log(2), 12);
    expect(logSumExp([])).toBe(Number.NEGATIVE_INFINITY);
    expect(logSumExp([Number.NEGATIVE_INFINITY, 0])).toBe(0);
  });
});
