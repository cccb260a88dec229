/**
 * What the test needs from the remembered baseline, computed once per guard: the rate, its
 * dispersion φ, the upper bound on effective counts (the day's or the recent hours'), the threshold
 * θ, whether the baseline is enough to judge by at all, and whether its own traffic had bursts that
 * a single look could be fooled by. Pure; a few hundred blocks take microseconds.
 */
import type { BaselineInsufficiency, BaselineSummary } from '../domain/error-rate-evidence.ts';
import type { BaselineBlock, BaselineHistory } from '../domain/error-rate-evidence.ts';
import { binomialUpperBound } from './binomial-bounds.ts';
import { DEFAULT_DISPERSION_OPTIONS, estimateDispersion, type DispersionOptions } from './dispersion.ts';
import { testBoundaries, type ErrorRateTestSpec } from './error-rate-test-spec.ts';
import { alternativeTerms, strongestEvidence } from './look-evidence.ts';

/** A minute of the baseline with this share of the from-deploy boundary marks the app as bursty. */
export const BURSTY_EVIDENCE_SHARE = 0.5;

/** Summarises a baseline for the spec. Contract: the spec passed errorRateTestSpecProblems. */
export function summariseBaseline(history: BaselineHistory, spec: ErrorRateTestSpec, options: DispersionOptions = DEFAULT_DISPERSION_OPTIONS): BaselineSummary {
  const day = countBlocks(history.blocks);
  const { requests, errors, spanMs } = day;
  const rate = requests > 0 ? errors / requests : 0;
  const { short: shortDispersion, long: dispersion, groups } = estimateDispersion(history.blocks, options);
  const effectiveRequests = requests / dispersion;
  const effectiveErrors = errors / dispersion;
  const bounds = upperBounds(history, day, dispersion, spec);
  const counts = { requests, errors, rate, spanMs, blocks: history.blocks.length, effectiveRequests, effectiveErrors };
  const common = {
    ...counts,
    ...{ dispersion, shortDispersion, dispersionGroups: groups, upperBound: bounds.upperBound },
    ...(bounds.recent !== undefined ? { recentUpperBound: bounds.recent } : {}),
  };
  const insufficient: BaselineInsufficiency | undefined =
    effectiveRequests < spec.minBaselineRequests ? 'too-few-requests' : spanMs < spec.minBaselineSpanMs ? 'too-short' : undefined;
  if (insufficient !== undefined) return { ...common, threshold: null, thresholdBasis: 'none', insufficient, peakEvidence: null, bursty: false };
  const fromBaseline = spec.tolerance * bounds.upperBound;
  // Never above the ceiling: a rate the ceiling fails must not pass the sequential test.
  const threshold = Math.max(spec.absoluteFloor, Math.min(spec.ceiling, fromBaseline));
  const thresholdBasis = threshold === spec.absoluteFloor ? 'absolute-floor' : threshold === spec.ceiling ? 'ceiling' : 'baseline';
  const terms = alternativeTerms(threshold);
  let peakEvidence = Number.NEGATIVE_INFINITY;
  // A peak is one minute, so it is judged with the minute-scale φ.
  for (const b of history.blocks) peakEvidence = Math.max(peakEvidence, strongestEvidence(terms, b.peakRequests, b.peakErrors, shortDispersion));
  const bursty = peakEvidence >= BURSTY_EVIDENCE_SHARE * testBoundaries(spec).logDeployBoundary;
  return { ...common, threshold, thresholdBasis, peakEvidence, bursty };
}

interface Counts {
  requests: number;
  errors: number;
  spanMs: number;
}

function countBlocks(blocks: readonly BaselineBlock[]): Counts {
  let requests = 0;
  let errors = 0;
  let spanMs = 0;
  for (const b of blocks) {
    requests += b.requests;
    errors += b.errors;
    spanMs += b.end - b.start;
  }
  return { requests, errors, spanMs };
}

/**
 * The day's mean averages over the daily cycle, so at the trough it sits well above what the app
 * does now and a regression there hides under the tolerance. The last `recentBaselineMs` is bounded
 * on its own too, and the lower bound is taken. Each is at baselineAlpha / 2, so for a steady rate
 * the lower one still misses it with probability ≤ baselineAlpha (union bound). A recent level above
 * the day's is left to the tolerance: taking it would make θ higher at every peak, and slower.
 * The recent window is judged with the whole baseline's φ: its few hours show the dispersion less
 * well than the day does.
 */
function upperBounds(history: BaselineHistory, day: Counts, dispersion: number, spec: ErrorRateTestSpec): { upperBound: number; recent?: number } {
  const delta = spec.baselineAlpha / 2;
  const dayBound = binomialUpperBound(day.errors / dispersion, day.requests / dispersion, delta);
  const end = history.blocks.reduce((latest, b) => Math.max(latest, b.end), Number.NEGATIVE_INFINITY);
  const recent = countBlocks(history.blocks.filter((b) => b.start >= end - spec.recentBaselineMs));
  if (recent.requests / dispersion < spec.minBaselineRequests || recent.spanMs < spec.minBaselineSpanMs) return { upperBound: dayBound };
  const recentBound = binomialUpperBound(recent.errors / dispersion, recent.requests / dispersion, delta);
  return { upperBound: Math.min(dayBound, recentBound), recent: recentBound };
}
