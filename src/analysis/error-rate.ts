/**
 * The error-rate judgment: is the new release's 5xx rate above what its predecessor earns it?
 * A pure function of cumulative counts since the deploy, safe to call after every batch: the
 * sequential test is anytime-valid (docs/statistics.md), so frequent checks cost no extra false rollbacks.
 */
import type { MeasurementPhase } from '../domain/measurement.ts';
import { errorRateSpecProblems, errorRateThreshold, type ErrorRateSpec, type ThresholdBasis } from './error-rate-spec.ts';
import { logMixtureStatistic } from './mixture-e-process.ts';

export { DEFAULT_ERROR_RATE_SPEC, errorRateSpecProblems, errorRateThreshold } from './error-rate-spec.ts';
export type { ErrorRateSpec, ErrorRateThreshold, ThresholdBasis } from './error-rate-spec.ts';

/** Cumulative counts: the new release since its deploy, and the previous release's baseline window. */
export interface ErrorRateEvidence {
  requests: number;
  errors: number;
  baselineRequests: number;
  baselineErrors: number;
  /** The caller saw a counter reset it could not account for; the counts are not trusted this round. */
  reset?: boolean;
}

export type ErrorRatePhase = Extract<MeasurementPhase, 'successful' | 'failed' | 'inconclusive'>;

export type ErrorRateReason =
  | 'invalid-spec' // inconclusive: the spec fails errorRateSpecProblems
  | 'invalid-input' // inconclusive: NaN, negative, or more errors than requests
  | 'counter-reset' // inconclusive: the caller flagged a reset
  | 'insufficient-traffic' // inconclusive: fewer than minRequests requests
  | 'ceiling' // failed: observed rate above the ceiling
  | 'sequential-test' // failed: the e-process crossed 1/alpha
  | 'above-threshold-unconfirmed' // inconclusive: the rate looks high but the evidence is not yet enough
  | 'within-bound'; // successful: enough traffic, rate at or below the threshold, no rejection

export interface ErrorRateJudgment {
  phase: ErrorRatePhase;
  reason: ErrorRateReason;
  /** What made the input or spec unusable (only for `invalid-spec` and `invalid-input`). */
  problem?: string;
  /** errors / requests (NaN when undefined). */
  rate: number;
  baselineRate: number;
  threshold: number;
  thresholdBasis: ThresholdBasis | 'unknown';
  /** log of the e-process Λ; the test rejects when it reaches logBoundary. */
  logStatistic: number;
  /** log(1/alpha). */
  logBoundary: number;
  requests: number;
  errors: number;
}

const isCount = (v: number) => Number.isFinite(v) && v >= 0;

/** Why the evidence cannot be judged, or undefined when it can. */
function evidenceProblem(e: ErrorRateEvidence): string | undefined {
  if (![e.requests, e.errors, e.baselineRequests, e.baselineErrors].every(isCount)) {
    return 'counts must be finite and non-negative';
  }
  if (e.errors > e.requests) return 'more errors than requests';
  if (e.baselineErrors > e.baselineRequests) return 'more baseline errors than baseline requests';
  return undefined;
}

/**
 * Judges cumulative evidence against the spec. Order matters: unusable input is inconclusive before
 * anything else (a broken counter must never roll a release back); the ceiling needs no statistics;
 * below minRequests nothing else is decided; then the sequential test; a pass needs the observed
 * rate at or below the threshold too, so a release that merely looks bad is not called good.
 * Never throws.
 */
export function judgeErrorRate(spec: ErrorRateSpec, evidence: ErrorRateEvidence): ErrorRateJudgment {
  const { requests, errors } = evidence;
  const logBoundary = Math.log(1 / spec.alpha);
  const unjudged = (reason: ErrorRateReason, problem?: string): ErrorRateJudgment => ({
    phase: 'inconclusive',
    reason,
    ...(problem === undefined ? {} : { problem }),
    rate: Number.NaN,
    baselineRate: Number.NaN,
    threshold: Number.NaN,
    thresholdBasis: 'unknown',
    logStatistic: Number.NaN,
    logBoundary,
    requests,
    errors,
  });

  const specProblems = errorRateSpecProblems(spec);
  if (specProblems.length > 0) return unjudged('invalid-spec', specProblems.join('; '));
  const problem = evidenceProblem(evidence);
  if (problem !== undefined) return unjudged('invalid-input', problem);
  if (evidence.reset === true) return unjudged('counter-reset');

  const { threshold, baselineRate, basis } = errorRateThreshold(spec, evidence.baselineRequests, evidence.baselineErrors);
  const rate = requests > 0 ? errors / requests : Number.NaN;
  const logStatistic = logMixtureStatistic(threshold, requests, errors);
  const judged = (phase: ErrorRatePhase, reason: ErrorRateReason): ErrorRateJudgment => ({
    phase,
    reason,
    rate,
    baselineRate,
    threshold,
    thresholdBasis: basis,
    logStatistic,
    logBoundary,
    requests,
    errors,
  });

  if (requests >= spec.minRequestsForCeiling && rate > spec.ceiling) return judged('failed', 'ceiling');
  if (requests < spec.minRequests) return judged('inconclusive', 'insufficient-traffic');
  if (logStatistic >= logBoundary) return judged('failed', 'sequential-test');
  if (rate > threshold) return judged('inconclusive', 'above-threshold-unconfirmed');
  return judged('successful', 'within-bound');
}

const pct = (v: number) => `${(v * 100).toFixed(v < 0.001 ? 3 : 2)}%`;

/**
 * One line for humans with the numbers behind the verdict, for a Measurement's `detail` or a log
 * line. Kept out of the judgment itself because the judgment runs far more often than anyone reads it.
 */
export function describeErrorRateJudgment(spec: ErrorRateSpec, j: ErrorRateJudgment): string {
  const observed = `${j.errors}/${j.requests} errors (${j.requests > 0 ? pct(j.rate) : 'no traffic'})`;
  const against = `threshold ${pct(j.threshold)} (${j.thresholdBasis}, baseline ${pct(j.baselineRate)})`;
  const evidence = `log e-value ${j.logStatistic.toFixed(2)} vs ${j.logBoundary.toFixed(2)}`;
  switch (j.reason) {
    case 'invalid-spec':
      return `invalid spec: ${j.problem ?? 'unknown problem'}`;
    case 'invalid-input':
      return `unusable counts (${j.problem ?? 'unknown problem'}): ${j.errors}/${j.requests}`;
    case 'counter-reset':
      return 'counter reset reported; counts not judged this round';
    case 'ceiling':
      return `${observed} is above the ceiling ${pct(spec.ceiling)}`;
    case 'insufficient-traffic':
      return `${observed}: fewer than ${spec.minRequests} requests, insufficient evidence`;
    case 'sequential-test':
      return `${observed} exceeds ${against}; ${evidence}`;
    case 'above-threshold-unconfirmed':
      return `${observed} is above ${against} but not yet significant; ${evidence}`;
    case 'within-bound':
      return `${observed} within ${against}; ${evidence}`;
  }
}
