import { describe, expect, it } from 'vitest';
import { SPRT_START, sprtBoundaries, sprtExpectedRequestsUnderH1, sprtStep, type SprtSpec } from '../../src/analysis/sprt.ts';
import { simulateSequentialRuns } from './null-simulation.ts';

const spec: SprtSpec = { p0: 0.01, p1: 0.05, alpha: 0.001, beta: 0.001 };

describe('Wald SPRT', () => {
  it('places the boundaries at log((1−β)/α) and log(β/(1−α))', () => {
    const { upper, lower } = sprtBoundaries(spec);
    expect(upper).toBeCloseTo(Math.log(0.999 / 0.001), 12);
    expect(lower).toBeCloseTo(Math.log(0.001 / 0.999), 12);
  });

  it.each<[string, { requests: number; errors: number }, string]>([
    ['errors arrive at the bad rate', { requests: 500, errors: 25 }, 'accept-h1'],
    ['errors arrive at the good rate', { requests: 500, errors: 5 }, 'accept-h0'],
    ['there is too little data', { requests: 20, errors: 1 }, 'continue'],
  ])('when %s then it decides %s', (_label, batch, decision) => {
    expect(sprtStep(spec, SPRT_START, batch).decision).toBe(decision);
  });

  it('stays decided', () => {
    const decided = sprtStep(spec, SPRT_START, { requests: 500, errors: 25 });
    expect(sprtStep(spec, decided, { requests: 10_000, errors: 0 })).toBe(decided);
  });

  it('never accepts H0 with beta = 0 (open-ended)', () => {
    const open = { ...spec, beta: 0 };
    expect(sprtStep(open, SPRT_START, { requests: 100_000, errors: 0 }).decision).toBe('continue');
    expect(Number.isFinite(sprtExpectedRequestsUnderH1(open))).toBe(true);
  });

  it("needs about Wald's expected number of requests under H1", () => {
    const expected = sprtExpectedRequestsUnderH1(spec);
    const result = simulateSequentialRuns({
      runs: 2_000,
      seed: 5,
      trueRate: spec.p1,
      batchMean: 1,
      batches: 5_000,
      // The harness passes cumulative counts, and the log-likelihood ratio depends on nothing else.
      rejects: (requests, errors) => sprtStep(spec, SPRT_START, { requests, errors }).decision === 'accept-h1',
    });
    const mean = result.requestsAtRejection.reduce((s, r) => s + r, 0) / result.rejections;
    // Wald ignores overshoot, so the simulated mean is a little higher, never far off.
    expect(mean).toBeGreaterThan(expected * 0.9);
    expect(mean).toBeLessThan(expected * 1.3);
  });
});
