/**
 * The exact (Clopper–Pearson 1934) confidence interval for a binomial proportion: the rates p for
 * which k successes in n trials is not in either α/2 tail. Found by bisection on the binomial CDF,
 * summed in log space so n in the hundreds of thousands neither under- nor overflows.
 */
import { logGamma } from './discrete.ts';

function logChoose(n: number, k: number): number {
  return logGamma(n + 1) - logGamma(k + 1) - logGamma(n - k + 1);
}

/** P(X ≤ k) for X ~ Binomial(n, p). */
export function binomialCdf(k: number, n: number, p: number): number {
  if (k < 0) return 0;
  if (k >= n || p <= 0) return 1;
  if (p >= 1) return 0;
  let sum = 0;
  const logP = Math.log(p);
  const logQ = Math.log1p(-p);
  for (let i = 0; i <= k; i++) sum += Math.exp(logChoose(n, i) + i * logP + (n - i) * logQ);
  return Math.min(1, sum);
}

/** The p in [0, 1] where the decreasing function f crosses `target`, by 60 bisections. */
function solveDecreasing(f: (p: number) => number, target: number): number {
  let low = 0;
  let high = 1;
  for (let i = 0; i < 60; i++) {
    const mid = (low + high) / 2;
    if (f(mid) > target) low = mid;
    else high = mid;
  }
  return (low + high) / 2;
}

/** The two-sided (1 − alpha) interval for k successes in n trials. Contract: 0 ≤ k ≤ n, n ≥ 1. */
export function clopperPearson(k: number, n: number, alpha = 0.05): { lower: number; upper: number } {
  const lower = k === 0 ? 0 : solveDecreasing((p) => binomialCdf(k - 1, n, p), 1 - alpha / 2);
  const upper = k === n ? 1 : solveDecreasing((p) => binomialCdf(k, n, p), alpha / 2);
  return { lower, upper };
}
