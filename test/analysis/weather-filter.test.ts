/**
 * The likelihood bound (bench/detection/likelihood-limits.ts) is only as right as its filter: with
 * no hidden weather it must give the binomial likelihood ratio exactly, a burst must explain what a
 * burst does, and the sequential guard built on it must keep its false-rollback promise on the
 * noise it models.
 */
import { describe, expect, it } from 'vitest';
import { createEnvironment, type Counts } from '../../bench/detection/error-process.ts';
import { noiseModel, type NoiseModel } from '../../bench/detection/noise.ts';
import { deriveSeed, mulberry32 } from '../../bench/detection/random.ts';
import { firstRollbackLook, weatherFilter, type FilterOptions } from '../../bench/detection/weather-filter.ts';

const RATE = 0.01;
const look = (requests: number, errors: number): Counts => ({ requests, errors });

describe('weather filter', () => {
  it('with independent errors gives the binomial likelihood and its ratio exactly', () => {
    const filter = weatherFilter(noiseModel('independent'), RATE, 1);
    const after = [look(100, 3), look(80, 0), look(120, 9)];
    const rows = filter.logLikelihoodRatios(filter.atDeploy([look(100, 1)]), after, [5]);
    let expected = 0;
    after.forEach((l, i) => {
      expected += l.errors * Math.log(5) + (l.requests - l.errors) * Math.log((1 - 5 * RATE) / (1 - RATE));
      expect(rows?.[i]?.[0]).toBeCloseTo(expected, 9);
    });
    const binomialLog = after.reduce((s, l) => s + l.errors * Math.log(RATE) + (l.requests - l.errors) * Math.log1p(-RATE), 0);
    expect(filter.logLikelihood(after)).toBeCloseTo(binomialLog, 9);
  });

  it('lets a burst explain two looks at 30% errors that independent errors cannot', () => {
    const after = [look(100, 1), look(100, 30), look(100, 30), look(100, 1), look(100, 1), look(100, 1)];
    const final = (noise: string) => {
      const filter = weatherFilter(noiseModel(noise), RATE, 1);
      return filter.logLikelihoodRatios(filter.atDeploy([]), after, [10]).at(-1)?.[0] ?? Number.NaN;
    };
    expect(final('independent')).toBeGreaterThan(Math.log(1000));
    expect(final('bursts-30')).toBeLessThan(0);
  });

  it('gives each kind of burst its own error rate: a look where every request fails needs the 100% kind', () => {
    const looks = [look(100, 1), look(100, 1), look(100, 100), look(100, 1), look(100, 1)];
    const burst30 = { perHour: 1, durationSeconds: 5, errorRate: 0.3 };
    const outage = { perHour: 1, durationSeconds: 5, errorRate: 1 };
    const logLikelihood = (bursts: (typeof burst30)[]) => weatherFilter({ ...noiseModel('independent'), name: 'bursts', bursts }, RATE, 1).logLikelihood(looks);
    // Far likelier with the outage kind (an outage of 5 s once an hour), whichever kind is listed first.
    expect(logLikelihood([burst30, outage]) - logLikelihood([burst30])).toBeGreaterThan(50);
    expect(logLikelihood([outage, burst30])).toBeCloseTo(logLikelihood([burst30, outage]), 6);
  });

  it('lets a burst start right after another only when asked (backToBack), as the simulator does', () => {
    // Four looks at 30 %: two 10-second bursts, the second starting as the first ends.
    const looks = [look(100, 1), look(100, 1), look(100, 30), look(100, 30), look(100, 30), look(100, 30), look(100, 1)];
    const noise = noiseModel('bursts-30');
    const strict = weatherFilter(noise, RATE, 1).logLikelihood(looks);
    expect(weatherFilter(noise, RATE, 1, undefined, { backToBack: false }).logLikelihood(looks)).toBe(strict);
    // Without it only the wander could explain the third and fourth looks, and this model has none.
    expect(weatherFilter(noise, RATE, 1, undefined, { backToBack: true }).logLikelihood(looks) - strict).toBeGreaterThan(20);
  });

  // Under the model, a likelihood ratio's mean over healthy data is exactly 1, whatever m is and
  // whatever came before the deploy: a filter that steps the wander at the wrong pace, forgets its
  // mean correction or mixes bursts wrongly gives another mean.
  it.each([
    ['wandering', noiseModel('wandering'), 4000],
    ['combined', noiseModel('combined'), 2000],
    ['bursts every 10 minutes', { ...noiseModel('bursts-30'), name: 'frequent bursts', bursts: [{ perHour: 6, durationSeconds: 10, errorRate: 0.3 }] }, 4000],
    ['bursts every 10 minutes, back to back allowed', { ...noiseModel('bursts-30'), name: 'frequent bursts', bursts: [{ perHour: 6, durationSeconds: 10, errorRate: 0.3 }] }, 4000, { backToBack: true }],
    ['two kinds of burst, every 10 minutes each', { ...noiseModel('bursts-30'), name: 'two kinds', bursts: [{ perHour: 6, durationSeconds: 10, errorRate: 0.3 }, { perHour: 6, durationSeconds: 5, errorRate: 1 }] }, 4000],
  ] as [string, NoiseModel, number, FilterOptions?][])('under %s, averages a likelihood ratio of 1 over healthy looks', (_label, noise, runs, options) => {
    const multipliers = [0.6, 1.5];
    const ratios = multipliers.map((): number[] => []);
    for (let i = 0; i < runs; i++) {
      const env = createEnvironment(mulberry32(deriveSeed(7, i)), noise, 20);
      env.next(696, () => RATE);
      const before = Array.from({ length: 24 }, () => env.next(1, () => RATE));
      const level = env.level();
      const after = Array.from({ length: 6 }, () => env.next(1, () => RATE));
      const filter = weatherFilter(noise, RATE, level, undefined, options);
      const last = filter.logLikelihoodRatios(filter.atDeploy(before), after, multipliers).at(-1) ?? [];
      multipliers.forEach((_, j) => ratios[j]?.push(Math.exp(last[j] as number)));
    }
    for (const xs of ratios) {
      const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
      const standardError = Math.sqrt(xs.reduce((s, x) => s + (x - mean) ** 2, 0) / (xs.length - 1) / xs.length);
      expect(Math.abs(mean - 1)).toBeLessThan(Math.max(0.01, 4 * standardError));
    }
  });

  it('as a sequential guard on the wander it models, rolls back few healthy releases and most ×10 ones', () => {
    const noise = noiseModel('wandering');
    const alpha = 0.05;
    const multipliers = [2, 5, 10];
    const rolledBack = (seed: number, ownRate: number) => {
      const env = createEnvironment(mulberry32(deriveSeed(20261205, seed)), noise, 20);
      env.next(60, () => RATE);
      const before = Array.from({ length: 24 }, () => env.next(1, () => RATE));
      const after = Array.from({ length: 24 }, () => env.next(1, () => ownRate));
      const filter = weatherFilter(noise, RATE, env.level());
      const rows = filter.logLikelihoodRatios(filter.atDeploy(before), after, multipliers);
      return firstRollbackLook(rows, alpha) !== null;
    };
    const healthy = Array.from({ length: 400 }, (_, i) => rolledBack(i, RATE)).filter(Boolean).length;
    const bad = Array.from({ length: 100 }, (_, i) => rolledBack(10_000 + i, 10 * RATE)).filter(Boolean).length;
    // Ville's inequality: at most alpha of healthy releases over any horizon, under the model.
    expect(healthy / 400).toBeLessThanOrEqual(alpha);
    expect(bad / 100).toBeGreaterThan(0.9);
  });

  it('tracks, in one pass, what atDeploy and logLikelihood give for every prefix', () => {
    const noise = noiseModel('combined');
    const env = createEnvironment(mulberry32(deriveSeed(11, 1)), noise, 20);
    const looks = Array.from({ length: 40 }, () => env.next(1, () => RATE));
    const filter = weatherFilter(noise, RATE, 1);
    const { increments, states } = filter.track(looks, 30);
    expect(states.slice(0, 30).every((s) => s === undefined)).toBe(true);
    for (const i of [30, 35, 39]) {
      expect(Array.from(states[i] ?? [])).toEqual(Array.from(filter.atDeploy(looks.slice(0, i))));
      const sum = increments.slice(0, i).reduce((a, b) => a + b, 0);
      expect(sum).toBeCloseTo(filter.logLikelihood(looks.slice(0, i)), 9);
    }
  });

  it('gives from a tracked state the same ratios as logLikelihoodRatios', () => {
    const noise = noiseModel('combined');
    const env = createEnvironment(mulberry32(deriveSeed(11, 2)), noise, 20);
    const before = Array.from({ length: 24 }, () => env.next(1, () => RATE));
    const after = Array.from({ length: 6 }, () => env.next(1, () => 10 * RATE));
    const filter = weatherFilter(noise, RATE, 1);
    const { increments, states } = filter.track([...before, ...after], 24);
    const healthy = increments.slice(24);
    const atDeploy = states[24] as Float64Array;
    const copy = Array.from(atDeploy);
    const bad = filter.incrementsFrom(atDeploy, after, 10 * RATE);
    // The tracked state is shared by every multiplier's run: it must be left as it was.
    expect(Array.from(atDeploy)).toEqual(copy);
    const rows = filter.logLikelihoodRatios(filter.atDeploy(before), after, [10]);
    let ratio = 0;
    bad.forEach((b, t) => {
      ratio += b - (healthy[t] as number);
      expect(ratio).toBeCloseTo(rows[t]?.[0] as number, 9);
    });
  });

  it('advances a state in place as incrementsFrom does on a copy', () => {
    const noise = noiseModel('combined');
    const env = createEnvironment(mulberry32(deriveSeed(11, 3)), noise, 20);
    const before = Array.from({ length: 24 }, () => env.next(1, () => RATE));
    const after = Array.from({ length: 6 }, () => env.next(1, () => RATE));
    const filter = weatherFilter(noise, RATE, 1);
    const state = filter.atDeploy(before);
    const expected = filter.incrementsFrom(state, after, RATE);
    after.forEach((l, t) => expect(filter.advance(state, l, RATE)).toBeCloseTo(expected[t] as number, 12));
    // The state itself moved on: it is now the weather after all the looks.
    expect(Array.from(state)).toEqual(Array.from(filter.atDeploy([...before, ...after])));
  });
});

describe('environment fork', () => {
  // Bursts every 10 s, so the fork moves its burst schedule on while it draws.
  const noise = { ...noiseModel('combined'), name: 'busy', bursts: [{ perHour: 360, durationSeconds: 10, errorRate: 0.3 }] };

  it('leaves the environment it forks from as it was', () => {
    const a = createEnvironment(mulberry32(deriveSeed(12, 1)), noise, 20);
    const b = createEnvironment(mulberry32(deriveSeed(12, 1)), noise, 20);
    a.next(100, () => RATE);
    b.next(100, () => RATE);
    const branch = a.fork(mulberry32(99));
    branch.next(200, () => 10 * RATE);
    expect(Array.from({ length: 50 }, () => a.next(1, () => RATE))).toEqual(Array.from({ length: 50 }, () => b.next(1, () => RATE)));
  });

  it('goes on from the same weather: the wander is where the original left it', () => {
    // A wide, slow wander and heavy traffic: the next look's error share shows where the wander is.
    const slow = { ...noiseModel('wandering'), name: 'slow', wanderLogSd: 1.5, wanderSeconds: 1e7 };
    const share = (c: Counts) => c.errors / c.requests;
    const gaps = { fork: 0, fresh: 0 };
    for (let i = 0; i < 20; i++) {
      const env = createEnvironment(mulberry32(deriveSeed(13, i)), slow, 20_000);
      env.next(12, () => RATE);
      const fork = env.fork(mulberry32(deriveSeed(14, i)));
      const fresh = createEnvironment(mulberry32(deriveSeed(15, i)), slow, 20_000);
      const next = share(env.next(1, () => RATE));
      gaps.fork += Math.abs(Math.log(share(fork.next(1, () => RATE)) / next));
      gaps.fresh += Math.abs(Math.log(share(fresh.next(1, () => RATE)) / next));
    }
    expect(gaps.fork / 20).toBeLessThan(0.1);
    expect(gaps.fresh / 20).toBeGreaterThan(0.5);
  });
});
