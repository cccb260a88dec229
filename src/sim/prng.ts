/**
 * Seeded randomness for the simulator. Every random choice (which request fails, how many of a
 * tick's requests fail, minted ids) draws from an Rng so a seed replays a run exactly; tests
 * assert on rates without flakiness because the "random" sequence is fixed.
 */

/** Uniform in [0, 1). */
export type Rng = () => number;

/** mulberry32: tiny, fast and good enough for simulation (not for anything secret). */
export function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A seed for an independent stream named `label` (FNV-1a over the label, mixed with `seed`), so
 * adding an app or a draw in one place does not shift the sequence every other app sees.
 */
export function deriveSeed(seed: number, label: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < label.length; i++) {
    h ^= label.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export function randomInt(rng: Rng, maxExclusive: number): number {
  return Math.floor(rng() * maxExclusive);
}

export function pick<T>(rng: Rng, items: readonly T[]): T {
  const item = items[randomInt(rng, items.length)];
  if (item === undefined) throw new RangeError('pick() from an empty list');
  return item;
}

/** Standard normal draw (Box-Muller). */
export function normal(rng: Rng): number {
  const u = 1 - rng(); // (0, 1]: log(0) would be -Infinity
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * rng());
}

/**
 * Draws from Binomial(n, p). Exact (one Bernoulli per trial) for the small n a traffic tick
 * produces; above that a normal approximation, which is indistinguishable at those sizes and keeps
 * a burst of 100k requests O(1).
 */
export function binomial(n: number, p: number, rng: Rng): number {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`binomial n must be a non-negative integer, got ${n}`);
  if (p <= 0 || n === 0) return 0;
  if (p >= 1) return n;
  if (n <= 1000) {
    let k = 0;
    for (let i = 0; i < n; i++) if (rng() < p) k++;
    return k;
  }
  const draw = Math.round(n * p + Math.sqrt(n * p * (1 - p)) * normal(rng));
  return Math.min(n, Math.max(0, draw));
}
