/**
 * The verdict of one look of the state-passing error-rate test (error-rate-test.ts), and its
 * one-line rendering for a Measurement's detail. Every field is plain JSON: numbers that do not
 * exist yet are null, never NaN or ±Infinity.
 */
import type { ErrorRatePhase } from './error-rate.ts';
import type { ErrorRateTestSpec } from './error-rate-test-spec.ts';

export type ErrorRateTestReason =
  | 'invalid-spec' // inconclusive: the spec fails errorRateTestSpecProblems
  | 'invalid-input' // inconclusive: NaN, negative, more errors than requests; the look is skipped
  | 'counter-reset' // inconclusive: the caller flagged the increment as untrusted; the look is skipped
  | 'ceiling' // failed: the rate stayed above the ceiling for ceilingPersistenceMs
  | 'insufficient-baseline' // inconclusive: too little baseline to set a threshold
  | 'sequential-test' // failed: the evidence since the deploy crossed the boundary
  | 'change-detected' // failed: evidence since some later look crossed it (a regression that began late)
  | 'insufficient-traffic' // inconclusive: fewer than minRequests requests since the guard began
  | 'above-threshold-unconfirmed' // inconclusive: the rate looks high, not yet proven
  | 'within-bound'; // successful: enough traffic, rate at or below θ, no rejection

export interface ErrorRateTestJudgment {
  phase: ErrorRatePhase;
  reason: ErrorRateTestReason;
  problem?: string;
  /** Since the guard began. */
  requests: number;
  errors: number;
  rate: number | null;
  /** This look's increment. */
  lookRequests: number;
  lookErrors: number;
  /** The baseline's rate the threshold starts from: at the current load where it follows the load (loadRatio set), else the day's. */
  baselineRate: number;
  /** The current load over the baseline's mean load, when the threshold followed the load. */
  loadRatio?: number;
  threshold: number | null;
  dispersion: number;
  /** log of the test statistic M and the boundary log(1 / testAlpha) it rejects at. */
  logStatistic: number | null;
  logBoundary: number;
  /** The from-deploy and the change-point parts of log M (weights included). */
  logDeployEvidence: number | null;
  logChangeEvidence: number | null;
  /** The most this look could add (nats), and whether the baseline marked the app bursty. */
  lookCap: number | null;
  bursty: boolean;
  /** How long the rate has stayed above the ceiling. */
  ceilingRunMs: number;
}

const pct = (v: number | null) => (v === null ? 'n/a' : `${(v * 100).toFixed(v < 0.001 ? 3 : 2)}%`);
const nats = (v: number | null) => (v === null ? 'n/a' : v.toFixed(2));

/** One line for humans with the numbers behind the verdict. */
export function describeErrorRateTestJudgment(spec: ErrorRateTestSpec, j: ErrorRateTestJudgment): string {
  const observed = `${j.errors}/${j.requests} errors (${j.requests > 0 ? pct(j.rate) : 'no traffic'})`;
  const dispersion = j.dispersion > 1.005 ? `, dispersion ${j.dispersion.toFixed(2)}` : '';
  const atLoad = j.loadRatio === undefined ? '' : ` at ${j.loadRatio.toFixed(2)}× its mean load`;
  const against = `threshold ${pct(j.threshold)} (baseline ${pct(j.baselineRate)}${atLoad}${dispersion})`;
  const evidence = `log e-value ${nats(j.logStatistic)} vs ${nats(j.logBoundary)}`;
  switch (j.reason) {
    case 'invalid-spec':
      return `invalid spec: ${j.problem ?? 'unknown problem'}`;
    case 'invalid-input':
      return `unusable counts (${j.problem ?? 'unknown problem'}): ${j.lookErrors}/${j.lookRequests}`;
    case 'counter-reset':
      return 'counter reset reported; this increment not judged';
    case 'ceiling':
      return `${observed}: above the ceiling ${pct(spec.ceiling)} for ${(j.ceilingRunMs / 1000).toFixed(0)} s`;
    case 'insufficient-baseline':
      return `${observed}: the baseline is too small to judge by (insufficient evidence)`;
    case 'insufficient-traffic':
      return `${observed}: fewer than ${spec.minRequests} requests, insufficient evidence; ${evidence}`;
    case 'sequential-test':
      return `${observed} exceeds ${against}; ${evidence}`;
    case 'change-detected':
      return `${observed}: errors rose above ${against} after the deploy; ${evidence}`;
    case 'above-threshold-unconfirmed':
      return `${observed} is above ${against} but not yet significant; ${evidence}`;
    case 'within-bound':
      return `${observed} within ${against}; ${evidence}`;
  }
}
