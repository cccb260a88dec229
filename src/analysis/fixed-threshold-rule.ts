/**
 * The rule most users write in Flagger or Argo Rollouts: "roll back when the 5xx ratio over the
 * last minute is above 5 %". It is the benchmark's peer, not a detector we ship: it has no notion of
 * sample size, so at low traffic a handful of errors trips it, and its false-alarm rate grows with
 * every check (see docs/statistics.md).
 */

export interface FixedThresholdRule {
  /** Roll back when errors/requests over the window is strictly above this. */
  maxErrorRatio: number;
  /** Length of the look-back window in ms (Prometheus' `[1m]`). */
  windowMs: number;
}

export const FLAGGER_STYLE_RULE: Readonly<FixedThresholdRule> = Object.freeze({ maxErrorRatio: 0.05, windowMs: 60_000 });

/** The counts observed in one interval ending at `at` (epoch or virtual ms). */
export interface IntervalCounts {
  at: number;
  requests: number;
  errors: number;
}

/**
 * True when the window ending at `now` breaches the rule. Intervals that ended more than windowMs
 * before `now` are ignored. A window without requests does not breach: the query has no value, and
 * we count that as no evidence (Flagger's "no values found" is configurable either way).
 */
export function fixedThresholdBreached(rule: FixedThresholdRule, intervals: readonly IntervalCounts[], now: number): boolean {
  let requests = 0;
  let errors = 0;
  for (const i of intervals) {
    if (i.at > now - rule.windowMs && i.at <= now) {
      requests += i.requests;
      errors += i.errors;
    }
  }
  return requests > 0 && errors / requests > rule.maxErrorRatio;
}
