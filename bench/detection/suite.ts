/**
 * The statistical suite as a library: build scenarios, simulate every deploy in virtual time, summarise.
 * The CLI (statistical.ts) and a later end-to-end suite share this, so both measure the same classes.
 */
import { DEFAULT_ERROR_RATE_SPEC, type ErrorRateSpec } from '../../src/analysis/error-rate.ts';
import { fixedThresholdDetector, mixtureDetector, oracleSprtDetector, type DetectorDefinition } from './detectors.ts';
import { summarise, type ClassRow } from './report.ts';
import { buildScenarios, DEFAULT_NOISE, DEFAULT_TIMING, type NoiseModel, type SuiteSize, type Timing } from './scenarios.ts';
import { simulateDeploy, type DeployOutcome } from './simulate.ts';

export interface SuiteOptions {
  seed: number;
  size: SuiteSize;
  spec: ErrorRateSpec;
  timing: Timing;
  noise: NoiseModel;
}

export const DEFAULT_SUITE_OPTIONS: Readonly<SuiteOptions> = Object.freeze({
  seed: 20_240_611,
  // 3 traffic levels × 2000 = 6000 healthy deploys; 4 bad classes × 3 levels × 500 = 6000 bad ones.
  size: { healthyPerLevel: 2000, badPerClassPerLevel: 500 },
  spec: DEFAULT_ERROR_RATE_SPEC,
  timing: DEFAULT_TIMING,
  noise: DEFAULT_NOISE,
});

export interface SuiteResult {
  options: SuiteOptions;
  rows: ClassRow[];
  outcomes: DeployOutcome[];
}

/** The detectors compared by default: ours, the Flagger/Argo-style peer, and two oracle lower bounds. */
export function defaultDetectors(spec: ErrorRateSpec): DetectorDefinition[] {
  return [mixtureDetector(spec), fixedThresholdDetector(), oracleSprtDetector(spec, 'spec-threshold'), oracleSprtDetector(spec, 'baseline')];
}

/**
 * Whether the spec calls a deploy bad when the baseline rate is known exactly: its true rate is above
 * max(absoluteFloor, tolerance × baseline rate). Deploys outside this cannot be detected by design.
 */
export function isBadBySpec(spec: ErrorRateSpec, o: DeployOutcome): boolean {
  return o.scenario.releaseRate > Math.max(spec.absoluteFloor, spec.tolerance * o.scenario.baselineRate);
}

/** Runs every deploy of the suite. Deterministic: the same options give the same result. */
export function runStatisticalSuite(options: SuiteOptions, detectors = defaultDetectors(options.spec)): SuiteResult {
  const outcomes = buildScenarios(options.seed, options.size).map((s) => simulateDeploy(s, detectors, options.timing, options.noise));
  return { options, rows: summarise(outcomes, (o) => isBadBySpec(options.spec, o)), outcomes };
}
