/**
 * The error-rate judgment inside the guard: counters feed the remembered baseline while a release
 * is stable, and the sequential test while a new one is guarded. The statistics are in src/analysis
 * (error-rate-test.ts; docs/statistics.md); this file only keeps their state with the target's.
 */
import { addBaselineReading, baselineHistoryStartedBefore, baselineHistoryUntil, baselinePolicyWithRetention, emptyBaselineHistory, mergeBaselineHistories } from '../../analysis/baseline-history.ts';
import { summariseBaseline } from '../../analysis/baseline-summary.ts';
import { accumulate, startAccumulator, totalCounts } from '../../analysis/counter-accumulator.ts';
import { startErrorRateTest, stepErrorRateTest, type ErrorRateTestJudgment } from '../../analysis/error-rate-test.ts';
import { describeErrorRateTestJudgment } from '../../analysis/error-rate-test-judgment.ts';
import { errorRateTestSpecOf, type ErrorRateTestSpec } from '../../analysis/error-rate-test-spec.ts';
import type { ErrorRate } from '../../config/error-rate-schema.ts';
import type { CounterAccumulator, CounterReadout, Measurement, SeriesReading } from '../../domain/measurement.ts';
import type { BaselineHistory, BaselineSummary } from '../../domain/error-rate-evidence.ts';
import type { ErrorRateSnapshot, ErrorRateState, TargetPhase, TargetState } from '../../domain/target-state.ts';
import { result, unchanged, type StepContext, type StepResult } from './context.ts';
import { decideFailure } from './on-rollback.ts';

/** The measurement name error-rate judgments are recorded under. */
export const ERROR_RATE_CHECK = 'error-rate';

/** Phases whose traffic is the running release's own: the baseline. */
const BASELINE_PHASES: ReadonlySet<TargetPhase> = new Set(['idle', 'stable', 'rolled-back']);

export const emptyErrorRate = (): ErrorRateState => ({ baselineSeries: {}, baselineHistory: emptyBaselineHistory(), consecutiveErrors: 0 });

/** The resolved test spec of a target's config (computed once per config object). */
const specs = new WeakMap<ErrorRate, ErrorRateTestSpec>();
export function testSpec(c: ErrorRate): ErrorRateTestSpec {
  let spec = specs.get(c);
  if (!spec) specs.set(c, (spec = errorRateTestSpecOf(c)));
  return spec;
}

function fold(series: Record<string, CounterAccumulator>, readings: readonly SeriesReading[]): Record<string, CounterAccumulator> {
  const next = { ...series };
  for (const r of readings) next[r.series] = accumulate(next[r.series] ?? startAccumulator(), { requests: r.requests, errors: r.errors });
  return next;
}

export function onCounters(state: TargetState, readout: CounterReadout, ctx: StepContext): StepResult {
  const config = ctx.target.errorRate;
  if (!config) return unchanged(state);
  const er = state.errorRate ?? emptyErrorRate();
  if (!readout.ok) {
    if (state.phase !== 'guarding') return unchanged(state);
    const last: ErrorRateSnapshot = { ...blank(ctx.now), phase: readout.phase, reason: 'source-unavailable', detail: readout.detail };
    // A source we cannot read is never a failure: only signals that can be seen fail a release.
    return result({ ...state, errorRate: { ...er, last, consecutiveErrors: er.consecutiveErrors + 1 } });
  }
  if (state.phase === 'guarding' && state.guard && er.guardSeries) {
    const spec = testSpec(config);
    const guardSeries = fold(er.guardSeries, readout.readings);
    const totals = totalCounts(Object.values(guardSeries));
    // A guard saved before the test kept its state starts the test now, on the baseline it has.
    const guard = er.guard ?? startGuard(er, undefined, state.guard.startedAt, spec, config);
    const increment = { at: ctx.now, requests: totals.requests - guard.test.requests, errors: totals.errors - guard.test.errors };
    const { state: test, judgment } = stepErrorRateTest(guard.test, increment, guard.baseline, spec);
    const history = increment.requests > 0 ? addBaselineReading(guard.history, increment, baselinePolicyWithRetention(config.baselineRetention)) : guard.history;
    const last = snapshot(ctx.now, judgment, describeErrorRateTestJudgment(spec, judgment));
    const next: TargetState = { ...state, errorRate: { ...er, guardSeries, guard: { ...guard, test, history }, last, consecutiveErrors: 0 } };
    if (judgment.phase !== 'failed') return result(next);
    return decideFailure(next, state.guard.release, `error rate: ${last.detail}`, [snapshotMeasurement(last)], ctx);
  }
  if (BASELINE_PHASES.has(state.phase)) {
    const baselineSeries = fold(er.baselineSeries, readout.readings);
    const before = totalCounts(Object.values(er.baselineSeries));
    const after = totalCounts(Object.values(baselineSeries));
    const delta = { at: ctx.now, requests: after.requests - before.requests, errors: after.errors - before.errors };
    const history = er.baselineHistory ?? emptyBaselineHistory();
    const baselineHistory = delta.requests > 0 ? addBaselineReading(history, delta, baselinePolicyWithRetention(config.baselineRetention)) : history;
    return result({ ...state, errorRate: { ...er, baselineSeries, baselineHistory } });
  }
  return unchanged(state);
}

/**
 * The baseline a guard judges by: what the remembered history holds from before the new release
 * was created. While Fly rolls it out, and until the next poll notices it, the "stable" counters
 * already carry some of its traffic, which would inflate the baseline and so the threshold. History
 * is kept in minute blocks, so the minute the release was created in is left out too, unless the
 * minutes before it are too few to judge by (a first start): then that minute counts rather than
 * leave the release unjudged, though the new release's traffic in it, until the guard started,
 * raises the baseline and so the threshold (a slower rollback, never a false one). When nothing is
 * that old (the release was first seen long after it was created, e.g. after a restart), the whole
 * history is the baseline.
 */
function startGuard(er: ErrorRateState, releaseCreatedAt: number | undefined, startedAt: number, spec: ErrorRateTestSpec, config: ErrorRate) {
  const history = compactHistory(er, startedAt, config);
  return { baseline: baselineAtGuardStart(history, releaseCreatedAt, spec), test: startErrorRateTest(startedAt), history: emptyBaselineHistory() };
}

function baselineAtGuardStart(history: BaselineHistory, releaseCreatedAt: number | undefined, spec: ErrorRateTestSpec): BaselineSummary {
  if (releaseCreatedAt === undefined) return summariseBaseline(history, spec);
  const ended = baselineHistoryUntil(history, releaseCreatedAt);
  if (ended.blocks.length > 0) {
    const strict = summariseBaseline(ended, spec);
    if (strict.insufficient === undefined) return strict;
  }
  const started = baselineHistoryStartedBefore(history, releaseCreatedAt);
  return summariseBaseline(started.blocks.length > 0 ? started : history, spec);
}

const compactHistory = (er: ErrorRateState, now: number, config: ErrorRate) => mergeBaselineHistories(er.baselineHistory ?? emptyBaselineHistory(), emptyBaselineHistory(), now, baselinePolicyWithRetention(config.baselineRetention));

/** At guard start: freeze the baseline, start the test and count the new release afresh. */
export function beginErrorRateGuard(er: ErrorRateState | undefined, releaseCreatedAt: number | undefined, now: number, config: ErrorRate): ErrorRateState {
  const current = er ?? emptyErrorRate();
  const guardSeries = Object.fromEntries(Object.entries(current.baselineSeries).map(([k, acc]) => [k, startAccumulator(acc.last ?? undefined)]));
  return {
    baselineSeries: {},
    baselineHistory: compactHistory(current, now, config),
    guardSeries,
    guard: startGuard(current, releaseCreatedAt, now, testSpec(config), config),
    consecutiveErrors: 0,
  };
}

/**
 * When the guard ends. A release that passed becomes the running one: its counters and its traffic
 * join the baseline. Otherwise (rolled back, or no verdict) the remembered baseline stays as it
 * was and the guarded release's traffic is dropped: it was never judged good.
 */
export function endErrorRateGuard(er: ErrorRateState | undefined, passed: boolean, now: number, config: ErrorRate): ErrorRateState {
  const history = er?.baselineHistory ?? emptyBaselineHistory();
  const policy = baselinePolicyWithRetention(config.baselineRetention);
  const baselineHistory = passed && er?.guard ? mergeBaselineHistories(history, er.guard.history, now, policy) : history;
  const series = er?.guardSeries ?? {};
  const baselineSeries = Object.fromEntries(Object.entries(series).map(([k, acc]) => [k, startAccumulator(acc.last ?? undefined)]));
  return { baselineSeries, baselineHistory, consecutiveErrors: 0 };
}

function snapshot(at: number, j: ErrorRateTestJudgment, detail: string): ErrorRateSnapshot {
  return {
    at,
    phase: j.phase,
    reason: j.reason,
    detail,
    requests: j.requests,
    errors: j.errors,
    rate: j.rate ?? Number.NaN,
    baselineRate: j.baselineRate,
    threshold: j.threshold ?? Number.NaN,
    logStatistic: j.logStatistic ?? 0,
    logBoundary: j.logBoundary,
  };
}

export function snapshotMeasurement(s: ErrorRateSnapshot): Measurement {
  return {
    check: ERROR_RATE_CHECK,
    phase: s.phase,
    at: s.at,
    durationMs: 0,
    detail: s.detail,
    values: { requests: s.requests, errors: s.errors, rate: s.rate, baselineRate: s.baselineRate, threshold: s.threshold, logStatistic: s.logStatistic, logBoundary: s.logBoundary },
  };
}

function blank(at: number): Omit<ErrorRateSnapshot, 'phase' | 'reason' | 'detail'> {
  return { at, requests: 0, errors: 0, rate: Number.NaN, baselineRate: Number.NaN, threshold: Number.NaN, logStatistic: 0, logBoundary: 0 };
}
