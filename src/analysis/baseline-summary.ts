/**
 * What the test needs from the remembered baseline, computed once per guard: the rate, its
 * dispersion φ, the upper bound of the rate at the app's current load (rate-at-load.ts; the day's
 * rate when the load says nothing), the threshold θ, whether the baseline is
 * enough to judge by at all, and whether its own traffic had bursts that a single look could be
 * fooled by. Pure; a few hundred blocks take microseconds.
 */
import type { BaselineInsufficiency, BaselineSummary } from '../domain/error-rate-evidence.ts';
import type { BaselineHistory } from '../domain/error-rate-evidence.ts';
import { binomialUpperBound } from './binomial-bounds.ts';
import { DEFAULT_DISPERSION_OPTIONS, estimateDispersion, type DispersionOptions } from './dispersion.ts';
import { rateAtRecentLoad } from './rate-at-load.ts';
import { testBoundaries, type ErrorRateTestSpec } from './error-rate-test-spec.ts';
import { alternativeTerms, strongestEvidence } from './look-evidence.ts';

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
  // The rate at the load the app has now, where the blocks show how the rate moves with the load
  // (rate-at-load.ts); otherwise the day's rate.
  const atLoad = spec.thresholdFollowsLoad ? rateAtRecentLoad(history.blocks, dispersion) : null;
  const upperBound = atLoad === null
    ? binomialUpperBound(effectiveErrors, effectiveRequests, spec.baselineAlpha)
    : binomialUpperBound(atLoad.effectiveErrors, atLoad.effectiveRequests, spec.baselineAlpha);
  const fromBaseline = spec.tolerance * upperBound;
  // Never above the ceiling: a rate the ceiling fails must not pass the sequential test.
  const threshold = Math.max(spec.absoluteFloor, Math.min(spec.ceiling, fromBaseline));
  const thresholdBasis = threshold === spec.absoluteFloor ? 'absolute-floor' : threshold === spec.ceiling ? 'ceiling' : 'baseline';
  const terms = alternativeTerms(threshold);
  let peakEvidence = Number.NEGATIVE_INFINITY;
  // A peak is one minute, so it is judged with the minute-scale φ.
  for (const b of history.blocks) peakEvidence = Math.max(peakEvidence, strongestEvidence(terms, b.peakRequests, b.peakErrors, shortDispersion));
  const bursty = peakEvidence >= BURSTY_EVIDENCE_SHARE * testBoundaries(spec).logDeployBoundary;
  return { ...common, upperBound, threshold, thresholdBasis, peakEvidence, bursty, ...(atLoad === null ? {} : { rateAtLoad: atLoad }) };
}
