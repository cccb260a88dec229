/**
 * What the test needs from the remembered baseline, computed once per guard: the rate, its
 * dispersion φ, the upper bound on effective counts, the threshold θ, whether the baseline is
 * enough to judge by at all, and whether its own traffic had bursts that a single look could be
 * fooled by. Pure; a few hundred blocks take microseconds.
 */
import type { BaselineHistory } from './baseline-history.ts';
import { binomialUpperBound } from './binomial-bounds.ts';
import { DEFAULT_DISPERSION_OPTIONS, estimateDispersion, type DispersionOptions } from './dispersion.ts';
import { testBoundaries, type ErrorRateTestSpec } from './error-rate-test-spec.ts';
import { alternativeTerms, strongestEvidence } from './look-evidence.ts';

export type BaselineInsufficiency = 'too-few-requests' | 'too-short';

export interface BaselineSummary {
  requests: number;
  errors: number;
  /** errors / requests (0 without requests). */
  rate: number;
  /** Time covered by the blocks (gaps excluded). */
  spanMs: number;
  blocks: number;
  /** Long-scale φ ≥ 1 (dispersion.ts): for the bound, the change detector and long horizons. */
  dispersion: number;
  /** Minute-scale φ (1 ≤ short ≤ dispersion): for evidence gathered over a minute or less. */
  shortDispersion: number;
  /** Groups φ was estimated from; 0 means too few errors or too short a baseline to see it, and φ = 1. */
  dispersionGroups: number;
  effectiveRequests: number;
  effectiveErrors: number;
  /** Upper bound of the baseline rate at 1 − baselineAlpha, on the effective counts. */
  upperBound: number;
  /** θ = max(floor, min(ceiling, tolerance × upperBound)); null when the baseline is insufficient. */
  threshold: number | null;
  thresholdBasis: 'baseline' | 'absolute-floor' | 'ceiling' | 'none';
  /** Why the baseline cannot be judged by; undefined when it can. */
  insufficient?: BaselineInsufficiency;
  /** The strongest quasi-evidence against θ of any block's worst minute (nats); null without θ. */
  peakEvidence: number | null;
  /** peakEvidence reached half the rollback boundary: the test uses the bursty per-look cap. */
  bursty: boolean;
}

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
  const fromBaseline = spec.tolerance * upperBound;
  // Never above the ceiling: a rate the ceiling fails must not pass the sequential test.
  const threshold = Math.max(spec.absoluteFloor, Math.min(spec.ceiling, fromBaseline));
  const thresholdBasis = threshold === spec.absoluteFloor ? 'absolute-floor' : threshold === spec.ceiling ? 'ceiling' : 'baseline';
  const terms = alternativeTerms(threshold);
  let peakEvidence = Number.NEGATIVE_INFINITY;
  // A peak is one minute, so it is judged with the minute-scale φ.
  for (const b of history.blocks) peakEvidence = Math.max(peakEvidence, strongestEvidence(terms, b.peakRequests, b.peakErrors, shortDispersion));
  const bursty = peakEvidence >= BURSTY_EVIDENCE_SHARE * testBoundaries(spec).logDeployBoundary;
  return { ...common, upperBound, threshold, thresholdBasis, peakEvidence, bursty };
}
