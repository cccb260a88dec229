/**
 * The baseline's error rate at the load the app has now. Many apps' error rates follow their
 * traffic through the day (more load, more timeouts; a quiet night, another mix of clients), and
 * the day's mean then sits above the rate of a quiet hour and below that of a busy one: a
 * regression deployed at the trough hides under a threshold set for the whole day, and a healthy
 * release deployed at the peak is judged against one set too low. The remembered baseline holds
 * each block's load beside its counts, so it can tell how the rate moves with the load.
 *
 * The fit: errors ~ quasi-Poisson(requests · e^(a + b·z)), z = log(block load / mean load), by
 * Newton's method, with the baseline's long-scale φ. Where the rate does not follow the load, b
 * comes out near zero, and a slope not clearly away from zero keeps the day's rate. The prediction
 * at the recent load is returned as effective counts: k = 1/Var(log p̂) errors out of k/p̂
 * requests, so the caller bounds it with the same binomial bound as the day's counts (at the mean
 * load and without a slope these are the day's own effective counts). Pure; a few hundred blocks
 * take microseconds.
 */
import type { BaselineBlock, RateAtLoadFit } from '../domain/error-rate-evidence.ts';

export interface RateAtLoadOptions {
  /**
   * The load "now" is that of the blocks in this last stretch of the baseline: long enough to
   * average out the load's minute-to-minute drift (which the error rate need not follow), short
   * beside a day's cycle.
   */
  recentMs: number;
  /** Fewer usable blocks than this: no fit. */
  minBlocks: number;
  /**
   * A slope within this many standard errors of zero is no evidence that the rate follows the
   * load: then the day's rate, whose bound is tighter than a prediction away from the mean load.
   */
  minSlopeZ: number;
}

export const DEFAULT_RATE_AT_LOAD_OPTIONS: Readonly<RateAtLoadOptions> = Object.freeze({ recentMs: 30 * 60_000, minBlocks: 12, minSlopeZ: 3 });

const MAX_NEWTON_STEPS = 50;
const CONVERGED = 1e-10;

/**
 * The fit and its prediction at the recent load, or null when the blocks cannot say: too few, no
 * errors, a load too steady to tell a slope from noise, or no slope to speak of (then the day's
 * rate is the answer).
 */
export function rateAtRecentLoad(blocks: readonly BaselineBlock[], dispersion: number, options: RateAtLoadOptions = DEFAULT_RATE_AT_LOAD_OPTIONS): RateAtLoadFit | null {
  const usable = blocks.filter((b) => b.requests > 0 && b.end > b.start);
  if (usable.length < options.minBlocks) return null;
  let requests = 0;
  let errors = 0;
  let spanMs = 0;
  for (const b of usable) {
    requests += b.requests;
    errors += b.errors;
    spanMs += b.end - b.start;
  }
  if (errors <= 0) return null;
  const meanLoad = requests / spanMs;
  const z = usable.map((b) => Math.log(b.requests / (b.end - b.start) / meanLoad));
  const newestEnd = Math.max(...usable.map((b) => b.end));
  const recent = usable.filter((b) => b.start >= newestEnd - options.recentMs);
  const now = recent.length > 0 ? recent : usable.slice(-1);
  const recentLoad = now.reduce((s, b) => s + b.requests, 0) / now.reduce((s, b) => s + b.end - b.start, 0);
  const zNow = Math.log(recentLoad / meanLoad);

  const fit = fitLogLinear(usable, z, Math.log(errors / requests));
  if (fit === null) return null;
  const { a, b, info } = fit;
  const det = info.aa * info.bb - info.ab * info.ab;
  if (Math.abs(b) < options.minSlopeZ * Math.sqrt((dispersion * info.aa) / det)) return null;
  // Var(â + b̂·z) = φ · [1 z] I⁻¹ [1 z]ᵀ
  const variance = (dispersion * (info.bb - 2 * zNow * info.ab + zNow * zNow * info.aa)) / det;
  if (!(variance > 0) || !Number.isFinite(variance)) return null;
  const rate = Math.exp(a + b * zNow);
  if (!(rate > 0 && rate < 1)) return null;
  const effectiveErrors = 1 / variance;
  return { rate, slope: b, loadRatio: recentLoad / meanLoad, effectiveErrors, effectiveRequests: effectiveErrors / rate };
}

interface Fit {
  a: number;
  b: number;
  /** Fisher information of (a, b) at the fit, without φ. */
  info: { aa: number; ab: number; bb: number };
}

function fitLogLinear(blocks: readonly BaselineBlock[], z: readonly number[], startA: number): Fit | null {
  let a = startA;
  let b = 0;
  for (let step = 0; step < MAX_NEWTON_STEPS; step++) {
    let ga = 0;
    let gb = 0;
    const info = { aa: 0, ab: 0, bb: 0 };
    for (let i = 0; i < blocks.length; i++) {
      const block = blocks[i] as BaselineBlock;
      const zi = z[i] as number;
      const mu = block.requests * Math.exp(a + b * zi);
      ga += block.errors - mu;
      gb += (block.errors - mu) * zi;
      info.aa += mu;
      info.ab += mu * zi;
      info.bb += mu * zi * zi;
    }
    const det = info.aa * info.bb - info.ab * info.ab;
    // A load that barely moves leaves the slope undetermined: no fit rather than a wild one.
    if (!(det > 1e-9 * info.aa * info.bb)) return null;
    const da = (info.bb * ga - info.ab * gb) / det;
    const db = (info.aa * gb - info.ab * ga) / det;
    a += da;
    b += db;
    if (!Number.isFinite(a) || !Number.isFinite(b)) return null;
    if (Math.abs(da) + Math.abs(db) < CONVERGED) return { a, b, info: informationAt(blocks, z, a, b) };
  }
  return null;
}

function informationAt(blocks: readonly BaselineBlock[], z: readonly number[], a: number, b: number): Fit['info'] {
  const info = { aa: 0, ab: 0, bb: 0 };
  for (let i = 0; i < blocks.length; i++) {
    const zi = z[i] as number;
    const mu = (blocks[i] as BaselineBlock).requests * Math.exp(a + b * zi);
    info.aa += mu;
    info.ab += mu * zi;
    info.bb += mu * zi * zi;
  }
  return info;
}
