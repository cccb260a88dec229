/**
 * The benchmark's own machinery (bench/detection): its samplers must be right, or every number it
 * prints is wrong, and a seed must fix its output. Lives here because the benchmark measures src/analysis.
 */
import { describe, expect, it } from 'vitest';
import { binomial, logGamma, poisson } from '../../bench/detection/discrete.ts';
import { meanOneGamma, mulberry32 } from '../../bench/detection/random.ts';
import { clopperPearson } from '../../bench/detection/clopper-pearson.ts';
import { conformalLevel } from '../../bench/detection/oracle-setup.ts';
import { buildRows, detectionTable, falseRollbackTable, medianCountingMisses } from '../../bench/detection/report.ts';
import { DEFAULT_SUITE_OPTIONS, DETECTOR_NAMES, runSuiteInProcess, selectCells } from '../../bench/detection/suite.ts';

function moments(draw: () => number, n = 50_000): { mean: number; variance: number } {
  let sum = 0;
  let squares = 0;
  for (let i = 0; i < n; i++) {
    const x = draw();
    sum += x;
    squares += x * x;
  }
  const mean = sum / n;
  return { mean, variance: squares / n - mean * mean };
}

describe('samplers', () => {
  it('computes log Γ', () => {
    expect(logGamma(10)).toBeCloseTo(Math.log(362_880), 10);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 10);
  });

  // Both the inversion and the rejection branch of each sampler, within ~5 standard errors.
  it.each([
    [10, 0.3],
    [1_000, 0.02],
    [1_000, 0.2],
    [100_000, 0.01],
    [50, 0.9],
  ])('when binomial(%s, %s) then mean and variance match', (n, p) => {
    const u = mulberry32(n);
    const { mean, variance } = moments(() => binomial(u, n, p));
    const v = n * p * (1 - p);
    expect(Math.abs(mean - n * p)).toBeLessThan(5 * Math.sqrt(v / 50_000));
    expect(Math.abs(variance / v - 1)).toBeLessThan(0.05);
  });

  it.each([0.5, 5, 29, 31, 1_000])('when poisson(%s) then mean and variance match', (lambda) => {
    const u = mulberry32(Math.round(lambda * 10));
    const { mean, variance } = moments(() => poisson(u, lambda));
    expect(Math.abs(mean - lambda)).toBeLessThan(5 * Math.sqrt(lambda / 50_000));
    expect(Math.abs(variance / lambda - 1)).toBeLessThan(0.05);
  });

  it('draws mean-one Gamma jitter with CV 1/√shape', () => {
    const u = mulberry32(8);
    const { mean, variance } = moments(() => meanOneGamma(u, 8));
    expect(mean).toBeCloseTo(1, 2);
    expect(variance).toBeCloseTo(1 / 8, 2);
  });
});

describe('statistical suite', () => {
  const cellFilter = ['independent@20', 'bursts-100@200'];
  const small = { ...DEFAULT_SUITE_OPTIONS, size: { healthy: 4, bad: 3, hardDown: 2 }, cellFilter, timing: { ...DEFAULT_SUITE_OPTIONS.timing, historyHours: 2 } };

  it('is deterministic for a seed, and the seed matters', () => {
    const run = (seed: number) => [...runSuiteInProcess({ ...small, seed }).values()];
    expect(run(1)).toEqual(run(1));
    expect(run(2)).not.toEqual(run(1));
  });

  it('catches every hard-down release with every detector and prints a row per class', () => {
    const cells = selectCells(small);
    const rows = buildRows(cells, runSuiteInProcess(small), DETECTOR_NAMES);
    expect(rows).toHaveLength(2 * 4);
    for (const row of rows.filter((r) => r.releaseClass === 'hard-down')) {
      for (const d of row.detectors) expect(d.caught).toBe(d.ran);
    }
    expect(falseRollbackTable(rows).split('\n')).toHaveLength(2 + 2);
    expect(detectionTable(rows).split('\n')).toHaveLength(2 + 6);
  });
});

describe('median counting misses', () => {
  it('counts a deploy not caught as never caught', () => {
    expect(medianCountingMisses([5, 10, 15], 3)).toBe(10);
    expect(medianCountingMisses([5, 10, 15], 4)).toBe(10);
    expect(medianCountingMisses([5, 10, 15], 6)).toBe(15);
    expect(medianCountingMisses([5, 10, 15], 7)).toBeNull();
    expect(medianCountingMisses([], 0)).toBeNull();
  });
});

describe('Clopper–Pearson interval', () => {
  it.each([
    [0, 10_000, 0, 0.000369],
    [3, 10_000, 0.0000619, 0.000876],
    [5, 10, 0.187, 0.813],
  ])('when %i of %i then the 95%% interval is [%f, %f]', (k, n, lower, upper) => {
    const ci = clopperPearson(k, n);
    expect(ci.lower).toBeCloseTo(lower, 3);
    expect(ci.upper).toBeCloseTo(upper, 3);
  });
});

describe('conformal level', () => {
  it('is the k-th largest of the history, k = ⌊α(N + 1)⌋, and null when k < 1', () => {
    const maxima = Array.from({ length: 99 }, (_, i) => i); // 0…98
    expect(conformalLevel(maxima, 0.05)).toBe(94); // k = 5
    expect(conformalLevel(maxima, 0.01)).toBe(98); // k = 1: the largest
    expect(conformalLevel(maxima, 0.009)).toBeNull(); // 99 moments cannot give a level at 0.9 %
  });

  it('pools neighbouring moments in time order, so one cluster counts once', () => {
    // One burst lifts three moments in a row; the other runs of three each have one high moment.
    const maxima = [9, 8, 7, 1, 1, 1, 6, 1, 1, 5, 1, 1];
    expect(conformalLevel(maxima, 0.25)).toBe(7); // every moment, k = 3: the burst's third moment
    expect(conformalLevel(maxima, 0.25, 3)).toBe(9); // runs 9, 1, 6, 5 and k = 1: the burst counts once
    expect(conformalLevel(maxima, 0.6, 3)).toBe(5); // k = 3 of the runs; pooling sorted values would give 1
  });
});
