/**
 * Shared by the oracle references (window-limits.ts, deploy-limits.ts, likelihood-limits.ts,
 * learned-limits.ts, jump-limits.ts, conformal-limits.ts): their command-line options, a deploy's
 * looks after an hour of the noise model's weather, and the conformal level the last two set from
 * the stable release's history.
 */
import type { ParseArgsConfig } from 'node:util';
import { createEnvironment, type Counts, type Environment } from './error-process.ts';
import { noiseModel, type NoiseModel } from './noise.ts';
import { deriveSeed, mulberry32 } from './random.ts';

export function oracleOptions(healthyDeploys: number, badDeploys = 2000) {
  return {
    noise: { type: 'string', default: 'combined' },
    rps: { type: 'string', default: '20' },
    rate: { type: 'string', default: '0.01' },
    multiplier: { type: 'string', default: '10' },
    healthy: { type: 'string', default: String(healthyDeploys) },
    bad: { type: 'string', default: String(badDeploys) },
    seed: { type: 'string', default: '20251204' },
    'false-rate': { type: 'string', default: '0.001' },
  } as const satisfies ParseArgsConfig['options'];
}

export interface OracleSetup {
  noise: NoiseModel;
  rps: number;
  rate: number;
  multiplier: number;
  seed: number;
  falseRate: number;
  healthy: number;
  bad: number;
}

export function oracleSetup(v: { [K in keyof ReturnType<typeof oracleOptions>]: string }): OracleSetup {
  return {
    noise: noiseModel(v.noise),
    rps: Number(v.rps),
    rate: Number(v.rate),
    multiplier: Number(v.multiplier),
    seed: Number(v.seed),
    falseRate: Number(v['false-rate']),
    healthy: Number(v.healthy),
    bad: Number(v.bad),
  };
}

/**
 * Deploy `index`'s looks (5 s each) for a release whose own rate is `ownRate`, after an hour of
 * weather at the app's rate, so bursts and the wander are in their stationary state; the environment
 * as it was at the deploy, for its level; and, when `looksBefore` > 0, the previous release's last
 * looks before the deploy, one tick each (without them the hour is drawn in one call, as before,
 * so the other references keep their random draws).
 */
export function weatheredDeploy(
  s: OracleSetup,
  index: number,
  ownRate: number,
  looks: number,
  looksBefore = 0,
): { looks: Counts[]; levelAtDeploy: number; before: Counts[] } {
  const env: Environment = createEnvironment(mulberry32(deriveSeed(s.seed, index)), s.noise, s.rps);
  env.next(12 * 60 - looksBefore, () => s.rate);
  const before: Counts[] = [];
  for (let i = 0; i < looksBefore; i++) before.push(env.next(1, () => s.rate));
  const levelAtDeploy = env.level();
  const out: Counts[] = [];
  for (let i = 0; i < looks; i++) out.push(env.next(1, () => ownRate));
  return { looks: out, levelAtDeploy, before };
}

/**
 * Hours of the stable release's looks (one per tick, after an hour's warm-up) followed by `after`
 * looks of a release whose own rate is `ownRate`, as one array: the deploy is at index `history`.
 */
export function historyThenDeploy(s: OracleSetup, index: number, ownRate: number, hours: number, after: number): { looks: Counts[]; history: number } {
  const env: Environment = createEnvironment(mulberry32(deriveSeed(s.seed, index)), s.noise, s.rps);
  env.next(12 * 60, () => s.rate);
  const history = Math.round(hours * 12 * 60);
  const looks: Counts[] = [];
  for (let i = 0; i < history; i++) looks.push(env.next(1, () => s.rate));
  for (let i = 0; i < after; i++) looks.push(env.next(1, () => ownRate));
  return { looks, history };
}

/**
 * A conformal level: the statistic's largest value after each moment of the history (`maxima`),
 * pooled into runs of `block` moments (each run counts once, by its largest: one burst lifts the
 * statistic after several neighbouring moments at once), and the k-th largest of those with
 * k = ⌊α(N + 1)⌋. If the deploy moment is like any run of the history, a healthy release exceeds
 * it with probability at most α. null when the history has too few stretches for α (fewer than 1/α − 1).
 */
export function conformalLevel(maxima: readonly number[], falseRate: number, block = 1): number | null {
  const pooled: number[] = [];
  for (let i = 0; i < maxima.length; i += block) pooled.push(Math.max(...maxima.slice(i, i + block)));
  pooled.sort((a, b) => b - a);
  const k = Math.floor(falseRate * (pooled.length + 1));
  return k < 1 ? null : (pooled[k - 1] as number);
}
