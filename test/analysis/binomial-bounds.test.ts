import { describe, expect, it } from 'vitest';
import { binomial } from '../../bench/detection/discrete.ts';
import { mulberry32 } from '../../bench/detection/random.ts';
import { bernoulliKl, binomialUpperBound } from '../../src/analysis/binomial-bounds.ts';
import { binomialUpperQuantile } from './null-simulation.ts';

describe('bernoulliKl', () => {
  it('is 0 at equality and handles the 0·log 0 corners', () => {
    expect(bernoulliKl(0.3, 0.3)).toBe(0);
    expect(bernoulliKl(0, 0.5)).toBeCloseTo(Math.log(2), 15);
    expect(bernoulliKl(1, 0.5)).toBeCloseTo(Math.log(2), 15);
    expect(bernoulliKl(0.5, 1)).toBe(Number.POSITIVE_INFINITY);
  });
});

describe('binomialUpperBound', () => {
  it('matches the closed form 1 − δ^(1/n) with no errors', () => {
    expect(binomialUpperBound(0, 600, 0.001)).toBeCloseTo(1 - 0.001 ** (1 / 600), 15);
  });

  it.each([
    [1, 100],
    [120, 12_000],
    [2_000, 100_000],
    [1, 10_000_000],
  ])('when %s errors in %s then n·KL at the bound equals log(1/δ)', (x, n) => {
    const q = binomialUpperBound(x, n, 0.001);
    expect(q).toBeGreaterThan(x / n);
    expect(n * bernoulliKl(x / n, q)).toBeCloseTo(Math.log(1000), 6);
  });

  it('is never below a Clopper–Pearson bound (scipy beta.ppf(0.999, x+1, n−x))', () => {
    expect(binomialUpperBound(2, 1800, 0.001)).toBeGreaterThanOrEqual(0.006222293286);
    expect(binomialUpperBound(120, 12_000, 0.001)).toBeGreaterThanOrEqual(0.013134148322);
  });

  it.each([
    [0, 10],
    [10, 0],
    [10, 10],
  ])('when x = %s and n = %s then the degenerate cases are safe', (x, n) => {
    const q = binomialUpperBound(x, n, 0.01);
    expect(q).toBeGreaterThanOrEqual(0);
    expect(q).toBeLessThanOrEqual(1);
  });

  it('covers the true rate at least 1 − δ of the time', () => {
    const u = mulberry32(11);
    const [p, n, delta, runs] = [0.01, 2_000, 0.05, 20_000];
    let misses = 0;
    for (let r = 0; r < runs; r++) if (binomialUpperBound(binomial(u, n, p), n, delta) < p) misses += 1;
    expect(misses).toBeLessThanOrEqual(binomialUpperQuantile(runs, delta, 1e-9));
  });
});
