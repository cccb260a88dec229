/**
 * A seeded PRNG and the continuous samplers built on it. Everything in the benchmark and the
 * statistical tests draws from here, so a seed fixes every number they print. No dependencies.
 */

/** A source of uniforms in [0, 1). */
export type Uniform = () => number;

/**
 * mulberry32 (Tommy Ettinger, public domain): 32-bit state, passes PractRand to 2^32 outputs, which
 * is far more than one simulated deploy draws. Deterministic across platforms (integer math only).
 */
export function mulberry32(seed: number): Uniform {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Derives an independent-looking 32-bit seed for stream `index` of a run, so each simulated deploy
 * has its own stream and results do not depend on the order (or the subset) of deploys simulated.
 */
export function deriveSeed(seed: number, index: number): number {
  // A murmur3-style finaliser over the pair.
  let h = (Math.imul(seed >>> 0, 0x9e3779b1) ^ Math.imul(index + 1, 0x85ebca6b)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x7feb352d);
  h = Math.imul(h ^ (h >>> 15), 0x846ca68b);
  return (h ^ (h >>> 16)) >>> 0;
}

/** Standard normal by Box–Muller (the second variate is discarded for simplicity). */
export function normal(u: Uniform): number {
  const u1 = 1 - u(); // (0, 1]: log(0) must not happen
  return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u());
}

/**
 * Gamma(shape, scale = 1/shape), i.e. mean 1 and coefficient of variation 1/√shape: the multiplicative
 * jitter of the benchmark's noise model. Marsaglia & Tsang (2000); shape < 1 uses the boost
 * Gamma(a) = Gamma(a+1)·U^(1/a).
 */
export function meanOneGamma(u: Uniform, shape: number): number {
  return gammaUnitScale(u, shape) / shape;
}

function gammaUnitScale(u: Uniform, shape: number): number {
  if (shape < 1) return gammaUnitScale(u, shape + 1) * Math.pow(1 - u(), 1 / shape);
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    const z = normal(u);
    const v0 = 1 + c * z;
    if (v0 <= 0) continue;
    const v = v0 * v0 * v0;
    const x = 1 - u();
    if (Math.log(x) < 0.5 * z * z + d - d * v + d * Math.log(v)) return d * v;
  }
}
