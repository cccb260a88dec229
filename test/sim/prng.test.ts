import { describe, expect, it } from 'vitest';
import { binomial, deriveSeed, mulberry32 } from '../../src/sim/prng.ts';

describe('mulberry32', () => {
  it('replays the same sequence for the same seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    expect(Array.from({ length: 5 }, a)).toEqual(Array.from({ length: 5 }, b));
  });

  it('stays within [0, 1)', () => {
    const rng = mulberry32(7);
    for (let i = 0; i < 10_000; i++) {
      const x = rng();
      expect(x >= 0 && x < 1).toBe(true);
    }
  });
});

describe('deriveSeed', () => {
  it('gives different streams different seeds, stably', () => {
    expect(deriveSeed(1, 'api/traffic')).toBe(deriveSeed(1, 'api/traffic'));
    expect(deriveSeed(1, 'api/traffic')).not.toBe(deriveSeed(1, 'api/probes'));
    expect(deriveSeed(1, 'api/traffic')).not.toBe(deriveSeed(2, 'api/traffic'));
  });
});

describe('binomial', () => {
  it.each([
    [0, 0.5, 0],
    [10, 0, 0],
    [10, 1, 10],
  ])('when n=%i p=%f then exactly %i', (n, p, expected) => {
    expect(binomial(n, p, mulberry32(1))).toBe(expected);
  });

  it.each([
    ['exact', 20, 0.1],
    ['approximated', 5000, 0.02],
  ])('%s draws have the binomial mean and variance', (_, n, p) => {
    const rng = mulberry32(99);
    const draws = Array.from({ length: 4000 }, () => binomial(n, p, rng));
    const mean = draws.reduce((s, x) => s + x, 0) / draws.length;
    const variance = draws.reduce((s, x) => s + (x - mean) ** 2, 0) / draws.length;
    expect(mean).toBeCloseTo(n * p, 0);
    expect(variance / (n * p * (1 - p))).toBeGreaterThan(0.85);
    expect(variance / (n * p * (1 - p))).toBeLessThan(1.15);
  });

  it('rejects a non-integer n', () => {
    expect(() => binomial(2.5, 0.5, mulberry32(1))).toThrow(RangeError);
  });
});
