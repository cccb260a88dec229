import { describe, expect, it } from 'vitest';
import { binomial, poisson } from '../../bench/detection/discrete.ts';
import { mulberry32 } from '../../bench/detection/random.ts';
import { addBaselineReadings, emptyBaselineHistory } from '../../src/analysis/baseline-history.ts';
import { summariseBaseline } from '../../src/analysis/baseline-summary.ts';
import { type BaselineSummary } from '../../src/domain/error-rate-evidence.ts';
import { DEFAULT_ERROR_RATE_SPEC } from '../../src/analysis/error-rate.ts';
import { describeErrorRateTestJudgment } from '../../src/analysis/error-rate-test-judgment.ts';
import { resolveErrorRateTestSpec, type ErrorRateTestSpec } from '../../src/analysis/error-rate-test-spec.ts';
import { startErrorRateTest, stepErrorRateTest, type ErrorRateIncrement, type ErrorRateTestReason } from '../../src/analysis/error-rate-test.ts';
import { type ErrorRateTestState } from '../../src/domain/error-rate-evidence.ts';
import { binomialUpperQuantile } from './null-simulation.ts';

const spec = resolveErrorRateTestSpec(DEFAULT_ERROR_RATE_SPEC);
const MINUTE = 60_000;
const T0 = 6 * 60 * MINUTE;

/** Six hours at 20 requests/s and exactly 1% errors, optionally with a 200-error burst every hour. */
function baseline(bursts = false, perMinute = 1200): BaselineSummary {
  const readings = Array.from({ length: 360 }, (_, m) => ({
    at: m * MINUTE + 1,
    requests: perMinute,
    errors: Math.round(perMinute * 0.01) + (bursts && m % 60 === 20 ? 200 : 0),
  }));
  return summariseBaseline(addBaselineReadings(emptyBaselineHistory(), readings), spec);
}
const steady = baseline();
const bursty = baseline(true);

/** Feeds looks of (requests, errors) every `everyMs` from T0; returns every judgment. */
function run(looks: readonly [number, number][], summary = steady, everyMs = 5000, s: ErrorRateTestSpec = spec) {
  let state = startErrorRateTest(T0);
  return looks.map(([requests, errors], i) => {
    const step = stepErrorRateTest(state, { at: T0 + (i + 1) * everyMs, requests, errors }, summary, s);
    state = step.state;
    return step.judgment;
  });
}

/** Seconds to the first failure over a 30-minute window of independent errors (null: none). */
function secondsToFail(seed: number, rps: number, rate: (second: number) => number, summary = steady, s = spec): number | null {
  const u = mulberry32(seed);
  let state = startErrorRateTest(T0);
  for (let t = 5; t <= 1800; t += 5) {
    const requests = poisson(u, rps * 5);
    const step = stepErrorRateTest(state, { at: T0 + t * 1000, requests, errors: binomial(u, requests, rate(t)) }, summary, s);
    state = step.state;
    if (step.judgment.phase === 'failed') return t;
  }
  return null;
}

const median = (xs: (number | null)[]) => {
  const sorted = xs.map((x) => x ?? Number.POSITIVE_INFINITY).sort((a, b) => a - b);
  return sorted[Math.floor((sorted.length - 1) / 2)];
};

describe('stepErrorRateTest: verdicts', () => {
  const last = (looks: [number, number][], summary = steady) => run(looks, summary).at(-1);
  it.each<[string, () => ReturnType<typeof last>, string, ErrorRateTestReason]>([
    ['a clean release with enough traffic', () => last(Array(20).fill([100, 1])), 'successful', 'within-bound'],
    ['too little traffic yet', () => last([[10, 0]]), 'inconclusive', 'insufficient-traffic'],
    ['a rate above θ, not yet proven', () => last(Array(11).fill([10, 1])), 'inconclusive', 'above-threshold-unconfirmed'],
    ['a ×10 regression', () => last(Array(4).fill([100, 10])), 'failed', 'sequential-test'],
    ['a release down for 30 s at 1 request/s', () => last(Array(7).fill([5, 5])), 'failed', 'ceiling'],
    ['no baseline at all, even with a damning rate', () => last(Array(4).fill([100, 10]), summariseBaseline(emptyBaselineHistory(), spec)), 'inconclusive', 'insufficient-baseline'],
  ])('when %s then %s (%s)', (_label, judge, phase, reason) => {
    expect(judge()).toMatchObject({ phase, reason });
  });

  it('fails a regression that starts late through the change detector', () => {
    const looks: [number, number][] = [...Array(120).fill([100, 1]), ...Array(40).fill([100, 10])];
    const failed = run(looks).find((j) => j.phase === 'failed');
    expect(failed?.reason).toBe('change-detected');
  });

  it.each<[string, ErrorRateIncrement, string]>([
    ['NaN requests', { at: T0 + 5000, requests: Number.NaN, errors: 0 }, 'invalid-input'],
    ['negative errors', { at: T0 + 5000, requests: 10, errors: -1 }, 'invalid-input'],
    ['more errors than requests', { at: T0 + 5000, requests: 10, errors: 11 }, 'invalid-input'],
    ['no time', { at: Number.NaN, requests: 10, errors: 1 }, 'invalid-input'],
    ['a flagged reset', { at: T0 + 5000, requests: 1000, errors: 1000, reset: true }, 'counter-reset'],
  ])('skips a look with %s: inconclusive, state unchanged', (_label, increment, reason) => {
    const state = startErrorRateTest(T0);
    const step = stepErrorRateTest(state, increment, steady, spec);
    expect(step.judgment).toMatchObject({ phase: 'inconclusive', reason });
    expect(step.state).toBe(state);
  });

  it('answers inconclusive for an invalid spec instead of throwing', () => {
    const step = stepErrorRateTest(startErrorRateTest(T0), { at: T0 + 5000, requests: 100, errors: 100 }, steady, { ...spec, baselineAlpha: spec.alpha });
    expect(step.judgment).toMatchObject({ phase: 'inconclusive', reason: 'invalid-spec' });
    expect(step.judgment.problem).toContain('baselineAlpha');
  });

  it('describes every verdict in one line with its numbers', () => {
    for (const j of run([...Array(3).fill([100, 1]), ...Array(4).fill([100, 10])])) {
      expect(describeErrorRateTestJudgment(spec, j)).toMatch(/errors|threshold/);
    }
  });
});

describe('stepErrorRateTest: state', () => {
  it('is plain JSON: a persisted and reloaded state judges the same', () => {
    const looks: [number, number][] = [...Array(30).fill([100, 1]), ...Array(5).fill([100, 6])];
    let state: ErrorRateTestState = startErrorRateTest(T0);
    let reloaded: ErrorRateTestState = startErrorRateTest(T0);
    looks.forEach(([requests, errors], i) => {
      const increment = { at: T0 + (i + 1) * 5000, requests, errors };
      const a = stepErrorRateTest(state, increment, steady, spec);
      const b = stepErrorRateTest(JSON.parse(JSON.stringify(reloaded)) as ErrorRateTestState, increment, steady, spec);
      expect(JSON.parse(JSON.stringify(b.judgment))).toEqual(b.judgment);
      expect(b.judgment).toEqual(a.judgment);
      state = a.state;
      reloaded = b.state;
    });
  });
});

describe('stepErrorRateTest: no single burst decides', () => {
  const burst = (looksOfBurst: number, everyMs: number, summary: BaselineSummary) =>
    run([...Array(looksOfBurst).fill([100, 100]), ...Array(200).fill([100, 1])], summary, everyMs);

  it.each([
    ['10 s at 100% in two 5-s looks, app without bursts', 2, 5000, steady],
    ['10 s at 100% in ten 1-s looks, app without bursts', 10, 1000, steady],
    ['15 s at 100% in three 5-s looks, app with bursts', 3, 5000, bursty],
  ] as const)('%s: never rolled back', (_label, looks, everyMs, summary) => {
    expect(burst(looks, everyMs, summary).some((j) => j.phase === 'failed')).toBe(false);
  });

  it('fails a release that stays that bad', () => {
    expect(burst(6, 5000, bursty).find((j) => j.phase === 'failed')).toBeDefined();
  });
});

describe('stepErrorRateTest: independent errors (seeded Monte Carlo)', () => {
  it('rolls back at most alpha of releases at exactly θ, checked every 5 s for 30 minutes', () => {
    // A large alpha, so the bound is tight enough to catch a broken test with 1000 deploys.
    const loose = resolveErrorRateTestSpec({ ...DEFAULT_ERROR_RATE_SPEC, alpha: 0.05 });
    const readings = Array.from({ length: 360 }, (_, m) => ({ at: m * MINUTE + 1, requests: 1200, errors: 12 }));
    const summary = summariseBaseline(addBaselineReadings(emptyBaselineHistory(), readings), loose);
    const theta = summary.threshold as number;
    const runs = 1000;
    const failures = Array.from({ length: runs }, (_, i) => secondsToFail(1000 + i, 20, () => theta, summary, loose)).filter((t) => t !== null);
    expect(failures.length).toBeLessThanOrEqual(binomialUpperQuantile(runs, loose.alpha - loose.baselineAlpha, 1e-9));
  });

  it('catches ×10 at 20 requests/s in a median under 20 s, ×5 under 60 s, and ×5 starting at 5 minutes within 90 s of its start', () => {
    const seeds = Array.from({ length: 41 }, (_, i) => 7000 + i);
    expect(median(seeds.map((s) => secondsToFail(s, 20, () => 0.1)))).toBeLessThan(20);
    expect(median(seeds.map((s) => secondsToFail(s, 20, () => 0.05)))).toBeLessThan(60);
    const late = seeds.map((s) => secondsToFail(s, 20, (t) => (t > 300 ? 0.05 : 0.01)));
    expect(late.every((t) => t === null || t > 300)).toBe(true);
    expect((median(late) ?? Number.POSITIVE_INFINITY) - 300).toBeLessThan(90);
  });
});
