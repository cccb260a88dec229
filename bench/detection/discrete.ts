/**
 * Exact Poisson and binomial samplers: inversion for small means (cost ∝ mean) and Hörmann's
 * transformed rejection (PTRS, BTRS; W. Hörmann 1993) for large ones (O(1) expected). A normal
 * approximation would be faster to write but wrong in the tails, which is exactly where false
 * rollbacks live.
 */
import type { Uniform } from './random.ts';

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
] as const;

/** log Γ(x) for x > 0 by the Lanczos approximation (g = 7), accurate to ~1e-15 relative. */
export function logGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - logGamma(1 - x);
  const z = x - 1;
  let sum = LANCZOS[0];
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] ?? 0) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

/** Below this mean, inversion is cheaper than rejection and exp(−mean) cannot underflow. */
const INVERSION_LIMIT = 30;

/** Poisson(mean) for mean ≥ 0. */
export function poisson(u: Uniform, mean: number): number {
  if (mean <= 0) return 0;
  if (mean < INVERSION_LIMIT) {
    let k = 0;
    let p = Math.exp(-mean);
    let left = u();
    while (left > p) {
      left -= p;
      k += 1;
      p *= mean / k;
      if (p === 0) break; // floating-point tail: stop rather than loop
    }
    return k;
  }
  // PTRS, as in NumPy's random_poisson_ptrs.
  const slam = Math.sqrt(mean);
  const logMean = Math.log(mean);
  const b = 0.931 + 2.53 * slam;
  const a = -0.059 + 0.02483 * b;
  const invAlpha = 1.1239 + 1.1328 / (b - 3.4);
  const vr = 0.9277 - 3.6224 / (b - 2);
  for (;;) {
    const U = u() - 0.5;
    const V = u();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + mean + 0.43);
    if (us >= 0.07 && V <= vr) return k;
    if (k < 0 || (us < 0.013 && V > us)) continue;
    if (Math.log(V) + Math.log(invAlpha) - Math.log(a / (us * us) + b) <= -mean + k * logMean - logGamma(k + 1)) return k;
  }
}

/** Binomial(n, p) for integer n ≥ 0 and p in [0, 1]. */
export function binomial(u: Uniform, n: number, p: number): number {
  if (n <= 0 || p <= 0) return 0;
  if (p >= 1) return n;
  if (p > 0.5) return n - binomial(u, n, 1 - p); // both methods want the smaller tail
  if (n * p < INVERSION_LIMIT) return binomialInversion(u, n, p);
  return binomialBtrs(u, n, p);
}

function binomialInversion(u: Uniform, n: number, p: number): number {
  const q = 1 - p;
  const s = p / q;
  const a = (n + 1) * s;
  let r = Math.pow(q, n);
  let left = u();
  let k = 0;
  while (left > r && k < n) {
    left -= r;
    k += 1;
    r *= a / k - s;
  }
  return k;
}

// BTRS (Hörmann 1993, also TensorFlow's large-mean binomial sampler). The acceptance test compares
// log V against log f(k)/f(m) of the binomial pmf, with m the mode.
function binomialBtrs(u: Uniform, n: number, p: number): number {
  const q = 1 - p;
  const spq = Math.sqrt(n * p * q);
  const b = 1.15 + 2.53 * spq;
  const a = -0.0873 + 0.0248 * b + 0.01 * p;
  const c = n * p + 0.5;
  const vr = 0.92 - 4.2 / b;
  const alpha = (2.83 + 5.1 / b) * spq;
  const lpq = Math.log(p / q);
  const m = Math.floor((n + 1) * p);
  const h = logGamma(m + 1) + logGamma(n - m + 1);
  for (;;) {
    const U = u() - 0.5;
    const V = u();
    const us = 0.5 - Math.abs(U);
    const k = Math.floor(((2 * a) / us + b) * U + c);
    if (k < 0 || k > n) continue;
    if (us >= 0.07 && V <= vr) return k;
    const logV = Math.log((V * alpha) / (a / (us * us) + b));
    if (logV <= h - logGamma(k + 1) - logGamma(n - k + 1) + (k - m) * lpq) return k;
  }
}
