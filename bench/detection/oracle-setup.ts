/**
 * Shared by the oracle references (window-limits.ts, deploy-limits.ts, likelihood-limits.ts,
 * learned-limits.ts): their command-line options, and a deploy's looks after an hour of the noise
 * model's weather.
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
