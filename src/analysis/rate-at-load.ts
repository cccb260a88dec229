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
import { CHI2_1_MEDIAN } from './dispersion.ts';

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
  const usable = withoutLoadArtefacts(blocks.filter((b) => b.requests > 0 && b.end > b.start));
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
  const z = usable.map((b) => Math.log(loadOf(b) / meanLoad));
  const newestEnd = Math.max(...usable.map((b) => b.end));
  const recent = usable.filter((b) => b.start >= newestEnd - options.recentMs);
  const recentLoad = median((recent.length > 0 ? recent : usable.slice(-1)).map(loadOf));
  const zNow = Math.log(recentLoad / meanLoad);

  const fit = fitLogLinear(usable, z, Math.log(errors / requests));
  if (fit === null) return null;
  const { a, b, info } = fit;
  // Where the rate moves with the time of day but not as the load does, the fit misses and its
  // residuals say so; the baseline's φ (from neighbouring groups) cannot, since it cancels trends.
  // Then the relation does not describe the app, and the day's rate is the honest answer.
  if (residualDispersion(usable, z, a, b, options.minBlocks) > MISFIT_FACTOR * dispersion) return null;
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

const loadOf = (b: BaselineBlock) => b.requests / (b.end - b.start);

function median(xs: readonly number[]): number {
  const sorted = [...xs].sort((x, y) => x - y);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? (sorted[mid] as number) : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
}

/** Neighbours on each side a block's load is compared with, and how far from theirs it may be. */
const NEIGHBOURS = 3;
const ARTEFACT_FACTOR = 2;

/**
 * The blocks whose load is not an artefact of how they were counted. After the source was
 * unreachable, the next reading's counts cover the whole gap but land in one block, whose load
 * then looks many times the app's; the minute the source went away holds only part of a minute.
 * A block more than twice or less than half the median load of its neighbours is left out of the
 * fit: a daily swing moves far more slowly, and a genuine one-block spike tells little about it.
 */
function withoutLoadArtefacts(blocks: readonly BaselineBlock[]): BaselineBlock[] {
  return blocks.filter((b, i) => {
    const around = [...blocks.slice(Math.max(0, i - NEIGHBOURS), i), ...blocks.slice(i + 1, i + 1 + NEIGHBOURS)];
    if (around.length === 0) return true;
    const ratio = loadOf(b) / median(around.map(loadOf));
    return ratio <= ARTEFACT_FACTOR && ratio >= 1 / ARTEFACT_FACTOR;
  });
}

/**
 * The fit misses when its residuals vary this many times more than φ says they should. The median
 * of three dozen scaled χ²₁ values wanders by about 40 %, and hourly bursts lift it further (a
 * coarse block holds one about every other time), so less than this is taken for noise.
 */
const MISFIT_FACTOR = 4;

/**
 * φ as the fit's own residuals show it, from the coarsest blocks, where a misfit stands out of
 * the noise; by their median, so a burst in a block or two does not count as misfit (bursts are
 * the per-look cap's business). 1 when there are too few coarse blocks to say.
 */
function residualDispersion(blocks: readonly BaselineBlock[], z: readonly number[], a: number, b: number, minBlocks: number): number {
  const coarsest = Math.max(...blocks.map((x) => x.end - x.start));
  const squares: number[] = [];
  blocks.forEach((block, i) => {
    if (block.end - block.start < coarsest) return;
    const mu = block.requests * Math.exp(a + b * (z[i] as number));
    squares.push(((block.errors - mu) * (block.errors - mu)) / mu);
  });
  return squares.length < minBlocks ? 1 : median(squares) / CHI2_1_MEDIAN;
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
    // The information from before a step this small is the information at the fit.
    if (Math.abs(da) + Math.abs(db) < CONVERGED) return { a, b, info };
  }
  return null;
}
