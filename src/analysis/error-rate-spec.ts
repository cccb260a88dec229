/**
 * Parameters of the error-rate judgment, their defaults, and the threshold built from the baseline.
 * The reasoning behind every default is in docs/statistics.md ("Parameters").
 */
import { binomialUpperBound } from './binomial-bounds.ts';

export interface ErrorRateSpec {
  /** Bound on P(false rollback) per deploy from the sequential test, against the threshold as computed. */
  alpha: number;
  /** A release may be this many times worse than the baseline before it counts as bad (≥ 1). */
  tolerance: number;
  /** Rates at or below this are always acceptable, whatever the baseline (0 < floor < 1). */
  absoluteFloor: number;
  /** An observed rate above this fails at once, without a statistical test. */
  ceiling: number;
  /** Below this many requests the verdict is `inconclusive`: neither a pass nor a sequential-test failure. */
  minRequests: number;
  /** The ceiling applies only from this many requests on, so 1 error in 1 request is not "100 %". */
  minRequestsForCeiling: number;
  /**
   * Miss probability of the baseline's upper confidence bound; defaults to `alpha`. Against the true
   * baseline rate the false-rollback bound is alpha + baselineAlpha (see docs/statistics.md).
   */
  baselineAlpha?: number;
  /**
   * A baseline smaller than this is treated as none (the floor is the bar): a handful of requests
   * gives an upper bound so wide that tolerance × bound could excuse almost any error rate.
   */
  minBaselineRequests?: number;
}

export const DEFAULT_ERROR_RATE_SPEC: Readonly<ErrorRateSpec> = Object.freeze({
  alpha: 0.001,
  tolerance: 2,
  absoluteFloor: 0.01,
  ceiling: 0.5,
  minRequests: 50,
  minRequestsForCeiling: 20,
});

/** One thing wrong with a spec: the field, and what it must be. */
export interface SpecIssue {
  field: string;
  problem: string;
}

/**
 * Everything wrong with a spec; empty when it is usable. The judgment never throws: with a bad spec
 * it answers `inconclusive`, so config loading calls this (through errorRateTestSpecIssues) and
 * refuses to start.
 */
export function errorRateSpecIssues(spec: ErrorRateSpec): SpecIssue[] {
  const issues: SpecIssue[] = [];
  const issue = (field: keyof ErrorRateSpec, problem: string) => issues.push({ field, problem });
  const inOpenUnit = (v: number) => Number.isFinite(v) && v > 0 && v < 1;
  if (!inOpenUnit(spec.alpha)) issue('alpha', 'must be in (0, 1)');
  if (spec.baselineAlpha !== undefined && !inOpenUnit(spec.baselineAlpha)) issue('baselineAlpha', 'must be in (0, 1)');
  if (!(Number.isFinite(spec.tolerance) && spec.tolerance >= 1)) issue('tolerance', 'must be ≥ 1');
  if (!inOpenUnit(spec.absoluteFloor)) issue('absoluteFloor', 'must be in (0, 1)');
  if (!(Number.isFinite(spec.ceiling) && spec.ceiling > 0 && spec.ceiling <= 1)) issue('ceiling', 'must be in (0, 1]');
  // A ceiling at or below the floor would fail releases the floor declares acceptable.
  else if (spec.ceiling <= spec.absoluteFloor) issue('ceiling', 'must be above absoluteFloor');
  if (!(Number.isInteger(spec.minRequests) && spec.minRequests >= 1)) issue('minRequests', 'must be an integer ≥ 1');
  if (!(Number.isInteger(spec.minRequestsForCeiling) && spec.minRequestsForCeiling >= 1)) issue('minRequestsForCeiling', 'must be an integer ≥ 1');
  return issues;
}

/** The same as readable lines ("ceiling must be above absoluteFloor"), for a judgment's detail. */
export const issueLines = (issues: readonly SpecIssue[]): string[] => issues.map((i) => `${i.field} ${i.problem}`);

export function errorRateSpecProblems(spec: ErrorRateSpec): string[] {
  return issueLines(errorRateSpecIssues(spec));
}

/**
 * Where the threshold came from: the floor (it dominated, or there was no baseline at all) or the
 * baseline's upper confidence bound times the tolerance.
 */
export type ThresholdBasis = 'baseline' | 'absolute-floor' | 'no-baseline';

export interface ErrorRateThreshold {
  threshold: number;
  /** Point estimate X0/N0 of the previous release's rate (0 without a baseline). */
  baselineRate: number;
  /** Upper confidence bound of the baseline rate at 1 − baselineAlpha (1 without a baseline). */
  baselineUpperBound: number;
  basis: ThresholdBasis;
}

/**
 * threshold = max(absoluteFloor, tolerance × UCB(baseline rate)), so noise in the baseline can only
 * raise the bar, never lower it (a baseline that happened to see few errors must not make a release
 * that is as good as its predecessor look bad). Without a baseline (N0 = 0, e.g. the first deploy)
 * the floor is the whole bar. Contract: the spec passed validation and 0 ≤ X0 ≤ N0.
 */
export function errorRateThreshold(spec: ErrorRateSpec, baselineRequests: number, baselineErrors: number): ErrorRateThreshold {
  const baselineAlpha = spec.baselineAlpha ?? spec.alpha;
  const minBaseline = spec.minBaselineRequests ?? DEFAULT_MIN_BASELINE_REQUESTS;
  const key = [spec.absoluteFloor, spec.tolerance, spec.ceiling, minBaseline, baselineAlpha, baselineRequests, baselineErrors];
  // The baseline is fixed for a whole deploy while the judgment runs every few seconds, so one
  // remembered answer saves the bisection on nearly every call. Frozen, so sharing it is safe.
  if (lastThreshold !== undefined && key.every((v, i) => v === lastThreshold?.key[i])) return lastThreshold.value;
  const tooSmall = baselineRequests < minBaseline;
  const value = Object.freeze(
    computeThreshold(spec.absoluteFloor, spec.tolerance, spec.ceiling, baselineAlpha, tooSmall ? 0 : baselineRequests, tooSmall ? 0 : baselineErrors),
  );
  lastThreshold = { key, value };
  return value;
}

let lastThreshold: { key: number[]; value: ErrorRateThreshold } | undefined;

/** Baselines below this many requests count as none (see ErrorRateSpec.minBaselineRequests). */
export const DEFAULT_MIN_BASELINE_REQUESTS = 200;

function computeThreshold(floor: number, tolerance: number, ceiling: number, baselineAlpha: number, requests: number, errors: number): ErrorRateThreshold {
  if (requests === 0) return { threshold: floor, baselineRate: 0, baselineUpperBound: 1, basis: 'no-baseline' };
  const baselineRate = errors / requests;
  const baselineUpperBound = binomialUpperBound(errors, requests, baselineAlpha);
  const fromBaseline = tolerance * baselineUpperBound;
  // Never above the ceiling: a rate the ceiling fails at once must not pass the sequential test.
  return fromBaseline > floor
    ? { threshold: Math.max(floor, Math.min(ceiling, fromBaseline)), baselineRate, baselineUpperBound, basis: 'baseline' }
    : { threshold: floor, baselineRate, baselineUpperBound, basis: 'absolute-floor' };
}
