/**
 * The likelihood of a run of looks under a noise model (noise.ts), by a forward filter over the
 * hidden weather that error-process.ts draws: the wander's log level on a grid, and whether a burst
 * (of which kind) is on and how far into it the tick is. Exact but for the grids (finer ones change
 * nothing measured) and the approximations noted below. Only the references use it
 * (likelihood-limits.ts, learned-limits.ts, conformal-limits.ts, conformal-stream.ts): it is told
 * the model's parameters, the app's rate and the daily level, or learns some of them, which no guard
 * does yet.
 */
import { TICK_SECONDS, type Counts } from './error-process.ts';
import type { Burst, NoiseModel } from './noise.ts';

export interface FilterGrid {
  /** Levels of the wander's log on a grid of ±4.5 sd. */
  wanderLevels: number;
  /** Where in its first tick a burst may start, on an even grid. */
  burstOffsets: number;
}

export const DEFAULT_GRID: FilterGrid = { wanderLevels: 31, burstOffsets: 5 };

export interface WeatherFilter {
  /** The hidden weather's distribution after the previous release's looks before the deploy. */
  atDeploy(before: readonly Counts[]): Float64Array;
  /** log P(looks) from the stationary weather, for a release at the app's rate (up to binomial coefficients). */
  logLikelihood(looks: readonly Counts[]): number;
  /**
   * log LR of "×m since the deploy" against "healthy" after each look since the deploy, for each
   * m in `multipliers`: row i is after look i + 1.
   */
  logLikelihoodRatios(atDeploy: Float64Array, after: readonly Counts[], multipliers: readonly number[]): number[][];
  /**
   * One pass over `looks` from the stationary weather: log P(look i | the looks before) for each i,
   * and the weather's distribution before look i for every i ≥ keepFrom (undefined before).
   */
  track(looks: readonly Counts[], keepFrom: number): { increments: number[]; states: (Float64Array | undefined)[] };
  /** log P(look | the looks before) for each look from `state` on, for a release with this own rate. */
  incrementsFrom(state: Float64Array, looks: readonly Counts[], ownRate: number): number[];
  /** Moves `state` itself on by one look, for a release with this own rate; log P(look | the looks before). */
  advance(state: Float64Array, look: Counts, ownRate: number): number;
}

export interface FilterOptions {
  /** A burst may start in the tick right after another ends, as in the simulator (default: not). */
  backToBack?: boolean;
}

interface BurstState {
  share: number;
  next: number;
  /** The error rate of the burst this state is a tick of (0 when idle). */
  errorRate: number;
}

/**
 * A filter for an app whose own error rate is `rate`, under `noise` with the daily level `level`
 * (taken as constant over the few minutes the filter reads).
 */
export function weatherFilter(noise: NoiseModel, rate: number, level: number, grid: FilterGrid = DEFAULT_GRID, options: FilterOptions = {}): WeatherFilter {
  // The wander: log-rate AR(1) per tick, as error-process.ts steps it.
  const sd = noise.wanderLogSd;
  const rho = Math.exp(-TICK_SECONDS / noise.wanderSeconds);
  const innovation = sd * Math.sqrt(1 - rho * rho);
  const levels = sd > 0 ? Array.from({ length: grid.wanderLevels }, (_, g) => -4.5 * sd + (9 * sd * g) / (grid.wanderLevels - 1)) : [0];
  const G = levels.length;
  const wanderMultiplier = levels.map((x) => Math.exp(x - (sd * sd) / 2));
  const stationary = normalised(levels.map((x) => (sd > 0 ? density(x / sd) : 1)));
  const wanderStep = levels.map((x) => {
    if (sd === 0) return [{ to: 0, p: 1 }];
    const row = normalised(levels.map((y) => density((y - rho * x) / innovation)));
    return row.flatMap((p, to) => (p > 1e-12 ? [{ to, p }] : []));
  });

  // Bursts: idle (state 0), or in tick k of a burst of one kind that began `offset` seconds into its
  // first tick. A burst's last tick leads back to idle, so no burst starts in the tick after one
  // ends, unless `backToBack`; the simulator allows it, at a chance of the order of (bursts per
  // tick)², negligible in a likelihood at a few an hour, but not in the largest statistic of days of
  // moments. Kinds of burst start independently in the simulator; here at most one is on.
  const burstStates: BurstState[] = [{ share: 0, next: 0, errorRate: 0 }];
  /** Each burst's first-tick states and the chance per tick that the weather enters each. */
  const burstStarts: { state: number; p: number }[] = [];
  for (const burst of noise.bursts) {
    const startPerTick = 1 - Math.exp((-TICK_SECONDS * burst.perHour) / 3600);
    for (let o = 0; o < grid.burstOffsets; o++) {
      const offset = ((o + 0.5) * TICK_SECONDS) / grid.burstOffsets;
      const end = offset + burst.durationSeconds;
      const shares: number[] = [];
      for (let k = 0; k * TICK_SECONDS < end; k++) {
        shares.push((Math.min((k + 1) * TICK_SECONDS, end) - Math.max(k * TICK_SECONDS, offset)) / TICK_SECONDS);
      }
      burstStarts.push({ state: burstStates.length, p: startPerTick / grid.burstOffsets });
      shares.forEach((share, k) => burstStates.push({ share, next: k === shares.length - 1 ? 0 : burstStates.length + 1, errorRate: burst.errorRate }));
    }
  }
  const B = burstStates.length;
  const startPerTick = burstStarts.reduce((sum, start) => sum + start.p, 0);
  /** Each state's share of the weather's stationary mass, roughly: idle, or a tick of a burst with its start's chance. */
  const burstPrior = burstStates.map(() => 0);
  for (const start of burstStarts) {
    for (let b = start.state; b !== 0; b = (burstStates[b] as BurstState).next) burstPrior[b] = start.p;
  }
  burstPrior[0] = 1 - burstPrior.reduce((sum, p) => sum + p, 0);
  const moved = new Float64Array(B * G);
  const logEmission = new Float64Array(B * G);

  /** Per own rate: each (burst, wander) state's log error and log success probability (computed once). */
  const logChances = new Map<number, { error: Float64Array; success: Float64Array }>();
  function chancesFor(ownRate: number): { error: Float64Array; success: Float64Array } {
    const known = logChances.get(ownRate);
    if (known !== undefined) return known;
    const error = new Float64Array(B * G);
    const success = new Float64Array(B * G);
    for (let b = 0; b < B; b++) {
      const { share, errorRate } = burstStates[b] as BurstState;
      for (let g = 0; g < G; g++) {
        const calm = Math.min(1, ownRate * level * (wanderMultiplier[g] as number));
        const p = share * Math.max(calm, errorRate) + (1 - share) * calm;
        const q = Math.min(1 - 1e-15, Math.max(1e-300, p));
        error[b * G + g] = Math.log(q);
        success[b * G + g] = Math.log1p(-q);
      }
    }
    const chances = { error, success };
    logChances.set(ownRate, chances);
    return chances;
  }

  /** Log of each (burst, wander) state's chance of `look` for a release with this own rate. */
  function emission(look: Counts, ownRate: number): void {
    const { error, success } = chancesFor(ownRate);
    const successes = look.requests - look.errors;
    for (let i = 0; i < logEmission.length; i++) logEmission[i] = look.errors * (error[i] as number) + successes * (success[i] as number);
  }

  /**
   * Moves `state` one tick on and weighs it by `look`; returns log P(look | the looks before),
   * without the binomial coefficient, which is the same under every hypothesis.
   */
  function step(state: Float64Array, look: Counts, ownRate: number): number {
    moved.fill(0);
    for (let b = 0; b < B; b++) {
      const next = (burstStates[b] as BurstState).next;
      for (let g = 0; g < G; g++) {
        const mass = state[b * G + g] as number;
        if (mass === 0) continue;
        const row = wanderStep[g] as { to: number; p: number }[];
        for (let r = 0; r < row.length; r++) {
          const { to, p } = row[r] as { to: number; p: number };
          const m = mass * p;
          if (b === 0 || (next === 0 && options.backToBack === true)) {
            moved[to] = (moved[to] as number) + m * (1 - startPerTick);
            for (const start of burstStarts) moved[start.state * G + to] = (moved[start.state * G + to] as number) + m * start.p;
          } else {
            moved[next * G + to] = (moved[next * G + to] as number) + m;
          }
        }
      }
    }
    emission(look, ownRate);
    let top = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < moved.length; i++) if ((moved[i] as number) > 0 && (logEmission[i] as number) > top) top = logEmission[i] as number;
    let total = 0;
    for (let i = 0; i < moved.length; i++) {
      // A state the weather cannot be in stays at 0, however well it would explain the look.
      const w = (moved[i] as number) > 0 ? (moved[i] as number) * Math.exp((logEmission[i] as number) - top) : 0;
      state[i] = w;
      total += w;
    }
    if (!(total > 0 && Number.isFinite(total))) throw new Error(`weather filter: a look of ${look.errors}/${look.requests} errors has no probability under ${noise.name}`);
    for (let i = 0; i < state.length; i++) state[i] = (state[i] as number) / total;
    return top + Math.log(total);
  }

  function stationaryState(): Float64Array {
    const state = new Float64Array(B * G);
    for (let b = 0; b < B; b++) {
      for (let g = 0; g < G; g++) state[b * G + g] = (burstPrior[b] as number) * (stationary[g] as number);
    }
    return state;
  }

  function afterLooks(looks: readonly Counts[]): { state: Float64Array; logLikelihood: number } {
    const state = stationaryState();
    let logLikelihood = 0;
    for (const look of looks) logLikelihood += step(state, look, rate);
    return { state, logLikelihood };
  }

  return {
    atDeploy(before) {
      return afterLooks(before).state;
    },
    logLikelihood(looks) {
      return afterLooks(looks).logLikelihood;
    },
    logLikelihoodRatios(atDeploy, after, multipliers) {
      const healthy = Float64Array.from(atDeploy);
      const bad = multipliers.map(() => Float64Array.from(atDeploy));
      const totals = multipliers.map(() => 0);
      return after.map((look) => {
        const healthyLog = step(healthy, look, rate);
        return multipliers.map((m, j) => {
          totals[j] = (totals[j] as number) + step(bad[j] as Float64Array, look, Math.min(1, rate * m)) - healthyLog;
          return totals[j] as number;
        });
      });
    },
    track(looks, keepFrom) {
      const state = stationaryState();
      const states: (Float64Array | undefined)[] = [];
      const increments = looks.map((look, i) => {
        states.push(i >= keepFrom ? Float64Array.from(state) : undefined);
        return step(state, look, rate);
      });
      return { increments, states };
    },
    incrementsFrom(state, looks, ownRate) {
      const s = Float64Array.from(state);
      return looks.map((look) => step(s, look, ownRate));
    },
    advance: step,
  };
}

function density(z: number): number {
  return Math.exp(-0.5 * z * z);
}

function normalised(xs: number[]): number[] {
  const total = xs.reduce((s, x) => s + x, 0);
  return xs.map((x) => x / total);
}

/** The multipliers the sequential guards average their likelihood ratio over. */
export const SEQUENTIAL_MULTIPLIERS: readonly number[] = [1.5, 2, 3, 5, 7, 10, 15, 20];

/**
 * The sequential guard on one deploy's ratios (rows from logLikelihoodRatios, one column per
 * multiplier): the first look, 1-based, at which the ratio averaged over the multipliers reaches
 * 1 / falseRate, or null. The average is a nonnegative martingale for a
 * healthy release under the model, so by Ville's inequality at most falseRate of healthy releases
 * ever reach it.
 */
export function firstRollbackLook(rows: readonly (readonly number[])[], falseRate: number): number | null {
  const at = rows.findIndex((row) => row.reduce((s, r) => s + Math.exp(r), 0) / row.length >= 1 / falseRate);
  return at < 0 ? null : at + 1;
}

/**
 * Bursts of every size from 10 % to 100 % errors, twice an hour in all: a guard's burst model that is
 * neither told nor learned (conformal-limits.ts `--broad-bursts`, conformal-stream.ts).
 */
export const BROAD_BURSTS: readonly Burst[] = [0.1, 0.2, 0.4, 0.7, 1].map((errorRate) => ({ perHour: 0.4, durationSeconds: 10, errorRate }));

/**
 * The bursts a learned filter picks from, with the wander (null: none): a grid that leaves out the
 * noise models' 30 % once an hour.
 */
export const LEARNED_BURSTS: readonly (Burst | null)[] = [null, ...[0.5, 2].flatMap((perHour) => [0.15, 0.5, 1].map((errorRate) => ({ perHour, durationSeconds: 10, errorRate })))];

/** The wander sds and correlation times a learned filter picks from: a grid that leaves out the noise models' 0.65 and 50 s. */
export const LEARNED_SDS: readonly number[] = [0.35, 0.5, 0.7, 0.9];
export const LEARNED_CORRELATION_SECONDS: readonly number[] = [25, 60, 150];
const FIT_GRID: FilterGrid = { wanderLevels: 21, burstOffsets: 5 };

export interface LearnedWander {
  model: NoiseModel;
  rate: number;
}

/** The looks' error rate, half an error when there was none (a learned rate is never 0). */
export function looksRate(looks: readonly Counts[]): number {
  const requests = looks.reduce((s, l) => s + l.requests, 0);
  const errors = looks.reduce((s, l) => s + l.errors, 0);
  return Math.max(errors, 0.5) / Math.max(requests, 1);
}

/**
 * The wander that gives `looks` (an app's own recent looks, one per tick) the highest likelihood,
 * from the grids above, and their error rate as the app's. The bursts are `noise`'s (told), unless
 * `burstChoices` is given: then the best of those too (null: no bursts), learned with the wander.
 */
export function learnWander(noise: NoiseModel, looks: readonly Counts[], burstChoices?: readonly (Burst | null)[]): LearnedWander {
  const rate = looksRate(looks);
  const burstOptions = burstChoices?.map((b) => (b === null ? [] : [b])) ?? [noise.bursts];
  let best: LearnedWander = { model: noise, rate };
  let bestLog = Number.NEGATIVE_INFINITY;
  for (const bursts of burstOptions) {
    for (const sd of LEARNED_SDS) {
      for (const seconds of LEARNED_CORRELATION_SECONDS) {
        const model: NoiseModel = { ...noise, bursts, wanderLogSd: sd, wanderSeconds: seconds };
        const log = weatherFilter(model, rate, 1, FIT_GRID).logLikelihood(looks);
        if (log > bestLog) {
          bestLog = log;
          best = { model, rate };
        }
      }
    }
  }
  return best;
}
