/**
 * What the test needs from the remembered baseline, computed once per guard: the rate, its
 * dispersion φ, the upper bound on effective counts, the threshold θ, whether the baseline is
 * enough to judge by at all, and whether its own traffic had bursts that a single look could be
 * fooled by. Pure; a few hundred blocks take microseconds.
 */
import type { BaselineInsufficiency, BaselineSummary } from '../domain/error-rate-evidence.ts';
import type { BaselineBlock, BaselineHistory } from '../domain/error-rate-evidence.ts';
import { binomialUpperBound } from './binomial-bounds.ts';
import { DEFAULT_DISPERSION_OPTIONS, estimateDispersion, type DispersionOptions } from './dispersion.ts';
import { testBoundaries, type ErrorRateTestSpec } from './error-rate-test-spec.ts';
import { alternativeTerms, strongestEvidence } from './look-evidence.ts';

/**
 * θ follows the app's last hour upward. The day's mean averages over the daily swing, so at the
 * peak a healthy app runs above it and only the tolerance stands between it and θ; the last hour
 * lags the level by half an hour at most. It only ever raises θ, so the bound's guarantee stands.
 * Following it downward as well was measured and left: docs/benchmarks.md.
 */
const RECENT_LEVEL_MS = 60 * 60_000;
/**
 * The hour counts by a lower bound of its rate at this miss probability, so that chance in an
 * hour's counts does not raise θ by itself (the day's bound already covers chance).
 */
const RECENT_LEVEL_DELTA = 0.1;
/** A minute of the hour is a burst, set aside, when its χ² is this many times the minute-scale φ (as in dispersion.ts). */
const RECENT_BURST_FACTOR = 15;

/** A minute of the baseline with this share of the from-deploy boundary marks the app as bursty. */
export const BURSTY_EVIDENCE_SHARE = 0.5;

/** Summarises a baseline for the spec. Contract: the spec passed errorRateTestSpecProblems. */
export function summariseBaseline(history: BaselineHistory, spec: ErrorRateTestSpec, options: DispersionOptions = DEFAULT_DISPERSION_OPTIONS): BaselineSummary {
  let requests = 0;
  let errors = 0;
  let spanMs = 0;
  for (const b of history.blocks) {
    requests += b.requests;
    errors += b.errors;
    spanMs += b.end - b.start;
  }
  const rate = requests > 0 ? errors / requests : 0;
  const { short: shortDispersion, long: dispersion, groups } = estimateDispersion(history.blocks, options);
  const effectiveRequests = requests / dispersion;
  const effectiveErrors = errors / dispersion;
  const common = { requests, errors, rate, spanMs, blocks: history.blocks.length, dispersion, shortDispersion, dispersionGroups: groups, effectiveRequests, effectiveErrors };
  const insufficient: BaselineInsufficiency | undefined =
    effectiveRequests < spec.minBaselineRequests ? 'too-few-requests' : spanMs < spec.minBaselineSpanMs ? 'too-short' : undefined;
  if (insufficient !== undefined) {
    const upperBound = binomialUpperBound(effectiveErrors, effectiveRequests, spec.baselineAlpha);
    return { ...common, upperBound, threshold: null, thresholdBasis: 'none', insufficient, peakEvidence: null, bursty: false };
  }
  const upperBound = binomialUpperBound(effectiveErrors, effectiveRequests, spec.baselineAlpha);
  const recentRate = lastHourLevel(history, { long: dispersion, short: shortDispersion }, spec);
  const level = Math.max(upperBound, recentRate ?? 0);
  // Never above the ceiling: a rate the ceiling fails must not pass the sequential test.
  const threshold = Math.max(spec.absoluteFloor, Math.min(spec.ceiling, spec.tolerance * level));
  const thresholdBasis =
    threshold === spec.absoluteFloor ? 'absolute-floor' : threshold === spec.ceiling ? 'ceiling' : level > upperBound ? 'recent-level' : 'baseline';
  const terms = alternativeTerms(threshold);
  let peakEvidence = Number.NEGATIVE_INFINITY;
  // A peak is one minute, so it is judged with the minute-scale φ.
  for (const b of history.blocks) peakEvidence = Math.max(peakEvidence, strongestEvidence(terms, b.peakRequests, b.peakErrors, shortDispersion));
  const bursty = peakEvidence >= BURSTY_EVIDENCE_SHARE * testBoundaries(spec).logDeployBoundary;
  return { ...common, upperBound, ...(recentRate !== undefined && { recentRate }), threshold, thresholdBasis, peakEvidence, bursty };
}

/**
 * A lower bound of the error rate of the baseline's last hour, with its bursts set aside (they are
 * the per-look cap's business, and one must not lift θ for the next release), when the hour holds
 * enough effective requests to judge by.
 */
function lastHourLevel(history: BaselineHistory, phi: { long: number; short: number }, spec: ErrorRateTestSpec): number | undefined {
  const end = history.blocks.reduce((latest, b) => Math.max(latest, b.end), Number.NEGATIVE_INFINITY);
  const hour = history.blocks.filter((b) => b.start >= end - RECENT_LEVEL_MS);
  const all = countBlocks(hour);
  const rate = all.requests > 0 ? all.errors / all.requests : 0;
  const isBurst = (b: BaselineBlock) => {
    const expected = rate * b.requests;
    return b.errors > expected && (b.errors - expected) ** 2 > RECENT_BURST_FACTOR * phi.short * Math.max(expected, 1);
  };
  const calm = countBlocks(hour.filter((b) => !isBurst(b)));
  const requests = calm.requests / phi.long;
  if (requests < spec.minBaselineRequests) return undefined;
  return 1 - binomialUpperBound((calm.requests - calm.errors) / phi.long, requests, RECENT_LEVEL_DELTA);
}

function countBlocks(blocks: readonly BaselineBlock[]): { requests: number; errors: number } {
  let requests = 0;
  let errors = 0;
  for (const b of blocks) {
    requests += b.requests;
    errors += b.errors;
  }
  return { requests, errors };
}
