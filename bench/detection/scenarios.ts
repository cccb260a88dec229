/**
 * What the statistical suite simulates: release classes, traffic levels, timing and the noise model.
 * A scenario is plain data derived from (seed, index) alone, so any single deploy can be replayed.
 */
import { deriveSeed, mulberry32 } from './random.ts';

export type ReleaseClass = 'healthy' | 'errors-x2' | 'errors-x5' | 'errors-x10' | 'hard-down';

export const RELEASE_CLASSES: readonly ReleaseClass[] = ['healthy', 'errors-x2', 'errors-x5', 'errors-x10', 'hard-down'];

/** How much worse than its predecessor each class is; hard-down fails every request. */
const ERROR_MULTIPLIER: Record<ReleaseClass, number> = {
  healthy: 1,
  'errors-x2': 2,
  'errors-x5': 5,
  'errors-x10': 10,
  'hard-down': Number.POSITIVE_INFINITY,
};

/** Mean requests per second of the simulated apps: a hobby app, a small service, a busy one. */
export const TRAFFIC_LEVELS: readonly number[] = [1, 20, 200];

export interface Timing {
  /** How often the detectors look (virtual ms). */
  evaluationEveryMs: number;
  /** How long a deploy is guarded before it counts as passed. */
  guardWindowMs: number;
  /** How much of the previous release's traffic forms the baseline. */
  baselineWindowMs: number;
}

export const DEFAULT_TIMING: Readonly<Timing> = Object.freeze({
  evaluationEveryMs: 5_000,
  guardWindowMs: 10 * 60_000,
  baselineWindowMs: 30 * 60_000,
});

/**
 * Real traffic is not a Poisson stream with a fixed error rate, and a detector tuned on idealised
 * data would look better than it is. Per evaluation interval:
 *   requests ~ Poisson(rps · interval · T_t),  log T_t = φ·log T_{t−1} + σ·√(1−φ²)·ε_t   (drifting load)
 *   errors   ~ Binomial(requests, min(1, p · E_t)),  E_t ~ Gamma(mean 1, CV 1/√shape)  (overdispersion)
 * so error counts vary more than binomially between intervals, as they do when a slow dependency,
 * a noisy client or a cache miss wave comes and goes. Hard-down has no jitter: every request fails.
 */
export interface NoiseModel {
  /** Stationary standard deviation of log T_t. */
  trafficLogSd: number;
  /** Autocorrelation φ of log T_t between intervals. */
  trafficAutocorrelation: number;
  /** Shape of the Gamma error-rate multiplier (CV = 1/√shape); Infinity for no overdispersion. */
  errorJitterShape: number;
  /** Chance that a deploy sees one process restart, which resets its raw counters to 0. */
  counterResetProbability: number;
}

export const DEFAULT_NOISE: Readonly<NoiseModel> = Object.freeze({
  trafficLogSd: 0.25,
  trafficAutocorrelation: 0.9,
  errorJitterShape: 8, // CV ≈ 0.35 from one 5-s interval to the next
  counterResetProbability: 0.1,
});

/** Baseline (previous release) error rates are drawn log-uniformly from this range. */
export const BASELINE_RATE_RANGE: readonly [number, number] = [0.001, 0.02];

export interface DeployScenario {
  index: number;
  /** Seed of this deploy's random stream. */
  seed: number;
  releaseClass: ReleaseClass;
  requestsPerSecond: number;
  /** True error rate of the previous release (what the baseline samples). */
  baselineRate: number;
  /** True mean error rate of the new release. */
  releaseRate: number;
}

export interface SuiteSize {
  /** Healthy deploys per traffic level. */
  healthyPerLevel: number;
  /** Bad deploys per bad class and traffic level. */
  badPerClassPerLevel: number;
}

/** Every scenario of a suite, in a fixed order: class, then traffic level, then replicate. */
export function buildScenarios(seed: number, size: SuiteSize): DeployScenario[] {
  const scenarios: DeployScenario[] = [];
  for (const releaseClass of RELEASE_CLASSES) {
    const replicates = releaseClass === 'healthy' ? size.healthyPerLevel : size.badPerClassPerLevel;
    for (const requestsPerSecond of TRAFFIC_LEVELS) {
      for (let r = 0; r < replicates; r++) {
        const index = scenarios.length;
        const deploySeed = deriveSeed(seed, index);
        // A separate stream for the scenario's own parameters keeps them independent of the traffic.
        const draw = mulberry32(deriveSeed(deploySeed, 0x5ce7a10));
        const [low, high] = BASELINE_RATE_RANGE;
        const baselineRate = low * Math.pow(high / low, draw());
        const releaseRate = Math.min(1, baselineRate * ERROR_MULTIPLIER[releaseClass]);
        scenarios.push({ index, seed: deploySeed, releaseClass, requestsPerSecond, baselineRate, releaseRate });
      }
    }
  }
  return scenarios;
}
