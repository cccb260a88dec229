/**
 * The statistical signals of a target: its error rate (judged by the state-passing sequential test,
 * docs/statistics.md) and its latency. Split from schema.ts because the error rate's knobs are
 * many and each is documented where it is declared.
 */
import { z } from 'zod';
import { configFieldOf, errorRateTestSpecIssues, errorRateTestSpecOf } from '../analysis/error-rate-test-spec.ts';
import { Duration, formatDuration } from '../infra/duration.ts';
import { PrometheusCounters, PrometheusLatency, ScrapeCounters } from './signal-schemas.ts';

export const ErrorRate = z.strictObject({
  /** Where request and error counters come from. */
  source: z.discriminatedUnion('type', [PrometheusCounters, ScrapeCounters]),
  /** Chance of a false rollback per deploy the sequential test allows. */
  alpha: z.number().gt(0).lt(0.5).default(0.001),
  /** The new release fails when its error rate is proven above max(absoluteFloor, tolerance × baseline). */
  tolerance: z.number().gte(1).max(100).default(2),
  absoluteFloor: z.number().gt(0).lt(1).default(0.01),
  /** Fail above this error ratio once it has held for ceilingPersistence (never on one look), given minRequestsForCeiling requests. */
  ceiling: z.number().gt(0).lte(1).default(0.5),
  /** Below this many requests the error rate is "insufficient evidence", not a pass. */
  minRequests: z.int().min(1).default(50),
  minRequestsForCeiling: z.int().min(1).default(20),
  /** A smaller baseline (in requests, after the dispersion) is insufficient evidence: nothing is judged against it. */
  minBaselineRequests: z.int().min(1).default(200),
  /** Deprecated and ignored: the baseline remembers up to baselineRetention of the stable releases' traffic. */
  baselineWindow: Duration.optional(),
  /** With insufficient evidence at the end of the watch window, keep guarding up to this long. */
  maxWindow: Duration.prefault('30m'),
  /**
   * A release is good only once the error rate was judged within bounds on enough traffic; false
   * judges an app that gets too little traffic on its probes alone (it still fails on errors seen).
   */
  requireTraffic: z.boolean().default(true),
  // Settings of the state-passing test (src/analysis/error-rate-test.ts). Optional without zod
  // defaults: the analysis fills them (resolveErrorRateTestSpec), and configs and fixtures written
  // before them keep their type. docs/statistics.md explains each default.
  /** Share of alpha spent on the baseline's upper bound (default alpha / 4); alpha is the total. */
  baselineAlpha: z.number().gt(0).lt(0.5).optional(),
  /** Share of the test's alpha spent on regressions that start after the deploy (default 0.5). */
  changeShare: z.number().gte(0).lt(1).optional(),
  /** No stretch of traffic shorter than this can roll a release back by itself (default 12s). */
  minDecision: Duration.optional(),
  /** The same when the baseline's own traffic had bursts (default 20s). */
  burstyMinDecision: Duration.optional(),
  /** The same for a regression that starts after the deploy (default 40s). */
  minChangeDecision: Duration.optional(),
  /** The ceiling fails a release only after its rate stayed above it this long (default 30s). */
  ceilingPersistence: Duration.optional(),
  /**
   * The threshold starts from the baseline's error rate at the app's current load, where the
   * baseline shows the rate following the load (default true); false: from the day's rate.
   */
  thresholdFollowsLoad: z.boolean().optional(),
  /** How much of the stable releases' traffic the baseline remembers (default 24h). */
  baselineRetention: Duration.optional(),
  /** A baseline spanning less is insufficient evidence (default 1h). */
  minBaselineSpan: Duration.optional(),
});
export type ErrorRate = z.infer<typeof ErrorRate>;

export const Latency = z
  .strictObject({
    source: PrometheusLatency,
    /** Fail when the latency stays above this. */
    ceiling: Duration.optional(),
    /** Fail when the latency stays above the stable release's × this. */
    tolerance: z.number().gt(1).max(100).optional(),
  })
  .refine((l) => l.ceiling !== undefined || l.tolerance !== undefined, { message: 'set a ceiling, a tolerance or both' });
export type Latency = z.infer<typeof Latency>;

/**
 * What is wrong with a target's error-rate settings taken together: values each valid alone that
 * the test cannot use (it would judge every look inconclusive, so every release ends unproven), and
 * a guard too short for the test ever to fail a release. Each names its field.
 */
export function errorRateSettingIssues(c: ErrorRate, watchWindowMs: number): { field: string; message: string }[] {
  const spec = errorRateTestSpecOf(c);
  const issues = errorRateTestSpecIssues(spec).map((i) => ({ field: configFieldOf(i.field), message: i.problem }));
  const longest = Math.max(c.maxWindow, watchWindowMs);
  if (issues.length === 0 && longest < spec.minDecisionMs) {
    issues.push({
      field: 'maxWindow',
      message: `the guard watches at most ${formatDuration(longest)} (the longer of maxWindow and guard.watchWindow), shorter than minDecision (${formatDuration(spec.minDecisionMs)}): the error rate could never fail a release`,
    });
  }
  return issues;
}
