/**
 * Wald's sequential probability ratio test for a Bernoulli rate, H0: p = p0 against H1: p = p1.
 * It needs both rates, which no real deploy knows, so it is not a detector we ship: it is the
 * benchmark's oracle. Among all tests with the same error probabilities it has the smallest expected
 * sample size under H0 and H1 (Wald–Wolfowitz 1948), so its detection time is the lower bound.
 */

export interface SprtSpec {
  /** The healthy rate. */
  p0: number;
  /** The bad rate; 0 < p0 < p1 < 1. */
  p1: number;
  /** Bound on P(accept H1 | H0). */
  alpha: number;
  /**
   * Bound on P(accept H0 | H1). 0 gives the open-ended test (no lower boundary): it never accepts H0
   * and only stops to reject, like a guard that watches its whole window anyway.
   */
  beta: number;
}

export type SprtDecision = 'continue' | 'accept-h0' | 'accept-h1';

export interface SprtState {
  /** Log likelihood ratio log(L1/L0) of everything seen so far. */
  logLikelihoodRatio: number;
  decision: SprtDecision;
}

export const SPRT_START: SprtState = Object.freeze({ logLikelihoodRatio: 0, decision: 'continue' });

/** Wald's boundaries: accept H1 at log((1−β)/α), accept H0 at log(β/(1−α)). */
export function sprtBoundaries(spec: SprtSpec): { upper: number; lower: number } {
  return { upper: Math.log((1 - spec.beta) / spec.alpha), lower: Math.log(spec.beta / (1 - spec.alpha)) };
}

/**
 * Adds one batch (requests, of which errors failed) and decides. A decided test stays decided.
 * Checking per batch rather than per request only overshoots the boundary, which makes it a little
 * more conservative; it matches the detectors it is compared with, which also look per batch.
 */
export function sprtStep(spec: SprtSpec, state: SprtState, batch: { requests: number; errors: number }): SprtState {
  if (state.decision !== 'continue') return state;
  const logErrorRatio = Math.log(spec.p1 / spec.p0);
  const logSuccessRatio = Math.log1p(-spec.p1) - Math.log1p(-spec.p0);
  const llr = state.logLikelihoodRatio + batch.errors * logErrorRatio + (batch.requests - batch.errors) * logSuccessRatio;
  const { upper, lower } = sprtBoundaries(spec);
  const decision: SprtDecision = llr >= upper ? 'accept-h1' : llr <= lower ? 'accept-h0' : 'continue';
  return { logLikelihoodRatio: llr, decision };
}

/**
 * Wald's approximation of the expected number of requests to a decision when H1 is true:
 * E1[N] ≈ ((1−β)·log A + β·log B) / KL(p1 ‖ p0), ignoring overshoot.
 */
export function sprtExpectedRequestsUnderH1(spec: SprtSpec): number {
  const { upper, lower } = sprtBoundaries(spec);
  const kl =
    spec.p1 * Math.log(spec.p1 / spec.p0) + (1 - spec.p1) * (Math.log1p(-spec.p1) - Math.log1p(-spec.p0));
  // With beta = 0 the lower boundary is −∞ but never reached: its term is 0, not 0·(−∞) = NaN.
  const lowerTerm = spec.beta === 0 ? 0 : spec.beta * lower;
  return ((1 - spec.beta) * upper + lowerTerm) / kl;
}
