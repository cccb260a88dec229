/**
 * Parameters of the state-passing error-rate test (error-rate-test.ts) and how its alpha is split.
 * It extends the cumulative judgment's ErrorRateSpec, whose fields keep their meaning; the new ones
 * are optional there and get their defaults here (errorRateTestSpecOf reads them from a config).
 * The reasoning behind every default is in docs/statistics.md ("The test with memory").
 */
import { errorRateSpecIssues, issueLines, type ErrorRateSpec, type SpecIssue } from './error-rate-spec.ts';

export interface ErrorRateTestSettings {
  /**
   * Miss probability of the baseline's upper bound. Taken out of `alpha`, which is the total bound
   * on false rollbacks per deploy: the sequential test gets alpha − baselineAlpha.
   */
  baselineAlpha: number;
  /** Share of the test's alpha spent on regressions that start after the deploy (the change detector). */
  changeShare: number;
  /** Change points are looked for over this long after the guard starts (the guard's maxWindow). */
  changeHorizonMs: number;
  /**
   * The per-look cap: no stretch of traffic shorter than this can reach the rollback boundary by
   * itself, so one burst cannot decide. Used when the baseline shows no bursts.
   */
  minDecisionMs: number;
  /** The same, when the baseline's own traffic had bursts strong enough to matter. */
  burstyMinDecisionMs: number;
  /**
   * The same for a regression that starts after the deploy: evidence since one look cannot reach the
   * change boundary in less than this. Longer, because the change detector looks at every stretch
   * of the window, and a healthy app's worst stretch is more extreme than its first.
   */
  minChangeDecisionMs: number;
  /** The ceiling fails a release only after its rate stayed above it for this long. */
  ceilingPersistenceMs: number;
  /** A baseline with fewer effective requests (requests / dispersion) is insufficient evidence. */
  minBaselineRequests: number;
  /** A baseline spanning less than this is insufficient evidence: its dispersion cannot be seen yet. */
  minBaselineSpanMs: number;
  /**
   * θ starts from the baseline's rate at the app's recent load where the baseline shows the rate
   * following the load (rate-at-load.ts); false: always from the day's rate.
   */
  thresholdFollowsLoad: boolean;
}

export type ErrorRateTestSpec = Omit<ErrorRateSpec, keyof ErrorRateTestSettings> & ErrorRateTestSettings;

/** Share of `alpha` given to the baseline bound when baselineAlpha is not set. */
export const DEFAULT_BASELINE_ALPHA_SHARE = 0.25;

export const DEFAULT_ERROR_RATE_TEST_SETTINGS: Readonly<Omit<ErrorRateTestSettings, 'baselineAlpha'>> = Object.freeze({
  changeShare: 0.5,
  changeHorizonMs: 30 * 60_000,
  minDecisionMs: 12_000,
  burstyMinDecisionMs: 20_000,
  minChangeDecisionMs: 40_000,
  ceilingPersistenceMs: 30_000,
  minBaselineRequests: 200,
  minBaselineSpanMs: 60 * 60_000,
  thresholdFollowsLoad: true,
});

/** The old spec plus any new settings given; the rest take their defaults. */
export function resolveErrorRateTestSpec(spec: ErrorRateSpec & Partial<ErrorRateTestSettings>): ErrorRateTestSpec {
  const defined = Object.fromEntries(Object.entries(spec).filter(([, v]) => v !== undefined));
  return {
    ...DEFAULT_ERROR_RATE_TEST_SETTINGS,
    baselineAlpha: spec.alpha * DEFAULT_BASELINE_ALPHA_SHARE,
    ...defined,
  } as ErrorRateTestSpec;
}

/** The config's names for the settings (durations already in ms), as in src/config/schema.ts ErrorRate. */
export interface ErrorRateTestConfig {
  baselineAlpha?: number | undefined;
  changeShare?: number | undefined;
  minDecision?: number | undefined;
  burstyMinDecision?: number | undefined;
  minChangeDecision?: number | undefined;
  ceilingPersistence?: number | undefined;
  minBaselineSpan?: number | undefined;
  minBaselineRequests?: number | undefined;
  thresholdFollowsLoad?: boolean | undefined;
  /** The guard's longest window: change points are looked for over it. */
  maxWindow: number;
}

/** The settings a config gives, over the defaults (errorRateTestSpecOf). */
export function errorRateTestSettings(c: ErrorRateTestConfig): Partial<ErrorRateTestSettings> {
  const settings: Partial<ErrorRateTestSettings> = {
    baselineAlpha: c.baselineAlpha,
    changeShare: c.changeShare,
    changeHorizonMs: c.maxWindow,
    minDecisionMs: c.minDecision,
    burstyMinDecisionMs: c.burstyMinDecision,
    minChangeDecisionMs: c.minChangeDecision,
    ceilingPersistenceMs: c.ceilingPersistence,
    minBaselineSpanMs: c.minBaselineSpan,
    minBaselineRequests: c.minBaselineRequests,
    thresholdFollowsLoad: c.thresholdFollowsLoad,
  };
  return Object.fromEntries(Object.entries(settings).filter(([, v]) => v !== undefined));
}

/** Everything wrong with a resolved spec; empty when it is usable. */
export function errorRateTestSpecIssues(spec: ErrorRateTestSpec): SpecIssue[] {
  const issues = errorRateSpecIssues(spec);
  const issue = (field: keyof ErrorRateTestSpec, problem: string) => issues.push({ field, problem });
  if (!(spec.baselineAlpha > 0 && spec.baselineAlpha < spec.alpha)) issue('baselineAlpha', 'must be in (0, alpha)');
  if (!(spec.changeShare >= 0 && spec.changeShare < 1)) issue('changeShare', 'must be in [0, 1)');
  const positive = (v: number) => Number.isFinite(v) && v > 0;
  if (!positive(spec.changeHorizonMs)) issue('changeHorizonMs', 'must be positive');
  if (!positive(spec.minDecisionMs)) issue('minDecisionMs', 'must be positive');
  if (!(positive(spec.burstyMinDecisionMs) && spec.burstyMinDecisionMs >= spec.minDecisionMs)) issue('burstyMinDecisionMs', 'must be at least minDecision');
  if (!positive(spec.minChangeDecisionMs)) issue('minChangeDecisionMs', 'must be positive');
  if (!(Number.isFinite(spec.ceilingPersistenceMs) && spec.ceilingPersistenceMs >= 0)) issue('ceilingPersistenceMs', 'must be ≥ 0');
  if (!(spec.minBaselineRequests >= 1)) issue('minBaselineRequests', 'must be ≥ 1');
  if (!(Number.isFinite(spec.minBaselineSpanMs) && spec.minBaselineSpanMs >= 0)) issue('minBaselineSpanMs', 'must be ≥ 0');
  return issues;
}

export function errorRateTestSpecProblems(spec: ErrorRateTestSpec): string[] {
  return issueLines(errorRateTestSpecIssues(spec));
}

/** The config's field a spec field comes from: durations lose their `Ms`, the horizon is maxWindow. */
export function configFieldOf(field: string): string {
  return field === 'changeHorizonMs' ? 'maxWindow' : field.replace(/Ms$/, '');
}

/** The config's error-rate settings as a resolved test spec: what the guard judges with. */
export function errorRateTestSpecOf(c: ErrorRateSpec & ErrorRateTestConfig): ErrorRateTestSpec {
  const spec: ErrorRateSpec = {
    alpha: c.alpha,
    tolerance: c.tolerance,
    absoluteFloor: c.absoluteFloor,
    ceiling: c.ceiling,
    minRequests: c.minRequests,
    minRequestsForCeiling: c.minRequestsForCeiling,
  };
  return resolveErrorRateTestSpec({ ...spec, ...errorRateTestSettings(c) });
}

/**
 * The test's rejection boundary and its prior weights. The statistic is
 *   M = Σ_k v_k · ( w0 · Λ_k(since the deploy)^(1/φ) + Σ_j w_j · Λ_k(since look j) )
 * with w0 = 1 − changeShare and the change points' weights summing to changeShare over the horizon.
 * By the power mean inequality the first part is at most w0 · max(1, Y) ≤ w0 · Y + w0 for the raw
 * mixture Y, so M − w0 is below a test supermartingale that starts at 1: rejecting at
 * M ≥ 1/testAlpha + w0 keeps P(false rejection) ≤ testAlpha exactly (the w0 costs 4e-4 nats).
 */
export interface TestBoundaries {
  testAlpha: number;
  /** log(1/testAlpha + w0): where log M rejects. */
  logBoundary: number;
  /** log w0: the weight of the from-deploy component. */
  logDeployWeight: number;
  /** Change-point prior mass per ms of guard time: changeShare / changeHorizonMs. */
  changeWeightPerMs: number;
  /** What the from-deploy component alone must reach: logBoundary − log w0. */
  logDeployBoundary: number;
}

export function testBoundaries(spec: ErrorRateTestSpec): TestBoundaries {
  const testAlpha = spec.alpha - spec.baselineAlpha;
  const deployWeight = 1 - spec.changeShare;
  const logBoundary = Math.log(1 / testAlpha + deployWeight);
  const logDeployWeight = Math.log(deployWeight);
  return {
    testAlpha,
    logBoundary,
    logDeployWeight,
    changeWeightPerMs: spec.changeShare / spec.changeHorizonMs,
    logDeployBoundary: logBoundary - logDeployWeight,
  };
}
