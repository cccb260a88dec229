/**
 * What one look (a batch of requests and errors) says about each alternative p_k > θ: its log
 * likelihood ratio against θ, which the state-passing test uses after two robustness steps:
 *
 *   ℓ_k = min( cap, [x·log(p_k/θ) + (n − x)·log((1 − p_k)/(1 − θ))] / φ )
 *
 * - Dividing by the dispersion φ ≥ 1 is quasi-likelihood: counts that vary φ times more than
 *   binomially carry 1/φ of the evidence.
 * - The cap bounds what one look can add, so a short burst cannot decide alone.
 *
 * Neither step breaks the guarantee for independent errors: if E[exp(L)] ≤ 1 then
 * E[exp(L/φ)] ≤ E[exp(L)]^(1/φ) ≤ 1 (Jensen, t ↦ t^(1/φ) is concave for φ ≥ 1) and
 * exp(min(c, L/φ)) ≤ exp(L/φ). Both only make each factor smaller.
 */
import { alternativesAbove } from './mixture-e-process.ts';

export interface AlternativeTerms {
  threshold: number;
  /** log v_k, the mixture weights. */
  logWeights: number[];
  /** log(p_k/θ) > 0 */
  logErrorRatios: number[];
  /** log((1−p_k)/(1−θ)) < 0 */
  logSuccessRatios: number[];
}

/** The grid of alternatives above θ (mixture-e-process.ts), as log ratios. Empty when θ ∉ (0, 1). */
export function alternativeTerms(threshold: number): AlternativeTerms {
  const alternatives = alternativesAbove(threshold);
  return {
    threshold,
    logWeights: alternatives.map((a) => Math.log(a.weight)),
    logErrorRatios: alternatives.map((a) => Math.log(a.rate) - Math.log(threshold)),
    logSuccessRatios: alternatives.map((a) => Math.log1p(-a.rate) - Math.log1p(-threshold)),
  };
}

/** The uncapped, unscaled log likelihood ratio of alternative k for n requests with x errors. */
export function logLikelihoodRatio(terms: AlternativeTerms, k: number, requests: number, errors: number): number {
  return errors * (terms.logErrorRatios[k] ?? 0) + (requests - errors) * (terms.logSuccessRatios[k] ?? 0);
}

/** The largest quasi log likelihood ratio over the alternatives (no cap): how damning a batch is. */
export function strongestEvidence(terms: AlternativeTerms, requests: number, errors: number, dispersion: number): number {
  let best = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < terms.logErrorRatios.length; k++) best = Math.max(best, logLikelihoodRatio(terms, k, requests, errors) / dispersion);
  return best;
}

/** The raw log likelihood ratio of every alternative, into `out` (reused: this is the benchmark's inner loop). */
export function lookLogLikelihoodRatios(terms: AlternativeTerms, requests: number, errors: number, out: number[]): number[] {
  out.length = terms.logErrorRatios.length;
  for (let k = 0; k < out.length; k++) out[k] = logLikelihoodRatio(terms, k, requests, errors);
  return out;
}

/** log(e^a + e^b) without overflow; −Infinity is the identity. */
export function logAddExp(a: number, b: number): number {
  if (a === Number.NEGATIVE_INFINITY) return b;
  if (b === Number.NEGATIVE_INFINITY) return a;
  return a > b ? a + Math.log1p(Math.exp(b - a)) : b + Math.log1p(Math.exp(a - b));
}
