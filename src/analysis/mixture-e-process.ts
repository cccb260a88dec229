/**
 * The mixture likelihood-ratio e-process for "is the error rate above θ?", in log space.
 *
 *   Λ(n, x) = Σ_k w_k · (p_k/θ)^x · ((1−p_k)/(1−θ))^(n−x)        with every p_k > θ, Σ w_k = 1
 *
 * For one request with error indicator Y and P(Y = 1 | past) = p ≤ θ, one term's factor has
 * expectation p·(p_k/θ) + (1−p)·(1−p_k)/(1−θ), which is 1 at p = θ and increases in p (since
 * p_k/θ > 1 > (1−p_k)/(1−θ)), so it is ≤ 1: every term, and hence the mixture, is a nonnegative
 * supermartingale with Λ(0, 0) = 1. Ville's inequality gives P(sup_n Λ ≥ 1/α) ≤ α, so the
 * statistic may be checked after every request without inflating the error. See docs/statistics.md.
 */

/** Alternatives as multiples of θ. Spread over ×1.25…×20 so the mixture is near-optimal for small and large regressions. */
export const ALTERNATIVE_MULTIPLIERS: readonly number[] = [1.25, 1.5, 2, 3, 5, 10, 20];

export interface Alternative {
  rate: number;
  weight: number;
}

/**
 * The grid of alternatives p_k = θ·m_k, capped at (1+θ)/2 so every p_k stays strictly between θ and 1
 * (a p_k of 1 would let a single success send that term to zero for good). Multipliers that land on
 * the same capped rate are merged and their weights added, so the weights still sum to 1.
 * Returns [] when θ is not in (0, 1): there is then no rate above θ to test for.
 */
export function alternativesAbove(threshold: number): Alternative[] {
  if (!(threshold > 0 && threshold < 1)) return [];
  const cap = (1 + threshold) / 2;
  const weight = 1 / ALTERNATIVE_MULTIPLIERS.length;
  const merged = new Map<number, number>();
  for (const m of ALTERNATIVE_MULTIPLIERS) {
    const rate = Math.min(threshold * m, cap);
    merged.set(rate, (merged.get(rate) ?? 0) + weight);
  }
  return [...merged].map(([rate, w]) => ({ rate, weight: w }));
}

/** log Σ exp(v_i) without overflow; −Infinity for an empty list. */
export function logSumExp(values: readonly number[]): number {
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) if (v > max) max = v;
  if (!Number.isFinite(max)) return max;
  let sum = 0;
  for (const v of values) sum += Math.exp(v - max);
  return max + Math.log(sum);
}

/**
 * log Λ(n, x) for cumulative counts: n requests, x of them errors. The counts are sufficient:
 * the value is the same however the requests were batched between checks.
 * Returns −Infinity when there are no alternatives (θ ∉ (0, 1)): the test can then never reject.
 * Contract: 0 ≤ x ≤ n (finite); the caller validates.
 */
export function logMixtureStatistic(threshold: number, n: number, x: number): number {
  const terms = logLikelihoodTerms(threshold);
  if (terms.length === 0) return Number.NEGATIVE_INFINITY;
  // log Λ = log Σ exp(log w_k + x·log(p_k/θ) + (n−x)·log((1−p_k)/(1−θ))), by log-sum-exp. Two passes
  // over the terms instead of an array of values: this is the benchmark's innermost loop.
  const termValue = (t: LogLikelihoodTerm) => t.logWeight + x * t.logErrorRatio + (n - x) * t.logSuccessRatio;
  let max = Number.NEGATIVE_INFINITY;
  for (const t of terms) max = Math.max(max, termValue(t));
  let sum = 0;
  for (const t of terms) sum += Math.exp(termValue(t) - max);
  return max + Math.log(sum);
}

interface LogLikelihoodTerm {
  logWeight: number;
  /** log(p_k/θ) > 0 */
  logErrorRatio: number;
  /** log((1−p_k)/(1−θ)) < 0 */
  logSuccessRatio: number;
}

let lastTerms: { threshold: number; terms: readonly LogLikelihoodTerm[] } | undefined;

/**
 * Per-alternative log ratios for θ. The threshold is fixed for a whole deploy while the statistic is
 * evaluated every few seconds (and millions of times in the benchmark), so the last answer is kept.
 */
function logLikelihoodTerms(threshold: number): readonly LogLikelihoodTerm[] {
  if (lastTerms?.threshold === threshold) return lastTerms.terms;
  // log1p keeps log(1−p) accurate for the tiny rates that are typical here (0.1 %).
  const terms = alternativesAbove(threshold).map((a) => ({
    logWeight: Math.log(a.weight),
    logErrorRatio: Math.log(a.rate) - Math.log(threshold),
    logSuccessRatio: Math.log1p(-a.rate) - Math.log1p(-threshold),
  }));
  lastTerms = { threshold, terms };
  return terms;
}
