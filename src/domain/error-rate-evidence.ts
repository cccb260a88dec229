/**
 * The error-rate evidence the guard keeps with a target's state, as plain JSON: the remembered
 * baseline in time blocks, its summary frozen at a guard's start, and the state of the sequential
 * test. The statistics that read and write them live in src/analysis.
 */

/** Counts over [start, end) (epoch ms, aligned to the block size of its tier). */
export interface BaselineBlock {
  start: number;
  end: number;
  requests: number;
  errors: number;
  /** The minute with the most errors inside the block: its requests and errors. */
  peakRequests: number;
  peakErrors: number;
  /** Minutes with requests in the block, and Σ errors²/requests over them. */
  minutes: number;
  minuteSquares: number;
}

/** Blocks in time order, not overlapping. */
export interface BaselineHistory {
  blocks: BaselineBlock[];
}

export interface CeilingRun {
  /** When the current run of looks above the ceiling began (the start of its first look); null: no run. */
  since: number | null;
  requests: number;
  errors: number;
}

export interface ErrorRateTestState {
  startedAt: number;
  /** The time of the last judged look (startedAt before the first). */
  lastAt: number;
  looks: number;
  requests: number;
  errors: number;
  /** Per alternative: the raw (capped, not yet divided by φ) log likelihood ratio since the deploy. */
  logDeploy: number[];
  /** Per alternative: log Σ_j w_j Π_{looks ≥ j} e^{ℓ_k}. */
  logChange: number[];
  ceiling: CeilingRun;
}

export type BaselineInsufficiency = 'too-few-requests' | 'too-short';

/** analysis/rate-at-load.ts: the baseline's error rate fitted against its load. */
export interface RateAtLoadFit {
  /** The fitted error rate at the recent load. */
  rate: number;
  /** How the log rate moves with the log load (0: not at all, 1: in proportion). */
  slope: number;
  /** The recent load over the baseline's mean load. */
  loadRatio: number;
  /** What the prediction is worth, as counts of a plain rate. */
  effectiveRequests: number;
  effectiveErrors: number;
}

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
  /**
   * Upper bound at 1 − baselineAlpha of the baseline rate at the recent load (rateAtLoad's
   * effective counts), or of the day's rate (the effective counts) when there is no such fit.
   */
  upperBound: number;
  /** How the baseline's rate follows its load, and the rate at the recent load; absent without a fit. */
  rateAtLoad?: RateAtLoadFit;
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
