/**
 * The error-rate judgment inside the guard: counters feed a baseline while a release is stable and
 * the sequential test while a new one is guarded (the math is in src/analysis; docs/statistics.md).
 */
import { accumulate, startAccumulator, totalCounts } from '../../analysis/counter-accumulator.ts';
import { describeErrorRateJudgment, judgeErrorRate, type ErrorRateSpec } from '../../analysis/error-rate.ts';
import type { ErrorRate } from '../../config/schema.ts';
import type { CounterAccumulator, CounterReadout, Measurement, SeriesReading } from '../../domain/measurement.ts';
import type { ErrorRateSnapshot, ErrorRateState, TargetPhase, TargetState } from '../../domain/target-state.ts';
import { result, unchanged, type StepContext, type StepResult } from './context.ts';
import { decideFailure } from './on-rollback.ts';

/** The measurement name error-rate judgments are recorded under. */
export const ERROR_RATE_CHECK = 'error-rate';

/** Phases whose traffic is the running release's own: the baseline. */
const BASELINE_PHASES: ReadonlySet<TargetPhase> = new Set(['idle', 'stable', 'rolled-back']);

export const emptyErrorRate = (): ErrorRateState => ({ baselineSeries: {}, baselineWindow: [], consecutiveErrors: 0 });

export function toSpec(c: ErrorRate): ErrorRateSpec {
  return {
    alpha: c.alpha,
    tolerance: c.tolerance,
    absoluteFloor: c.absoluteFloor,
    ceiling: c.ceiling,
    minRequests: c.minRequests,
    minRequestsForCeiling: c.minRequestsForCeiling,
    minBaselineRequests: c.minBaselineRequests,
  };
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
    const guardSeries = fold(er.guardSeries, readout.readings);
    const counts = totalCounts(Object.values(guardSeries));
    const baseline = er.baseline ?? { requests: 0, errors: 0 };
    const spec = toSpec(config);
    const j = judgeErrorRate(spec, { ...counts, baselineRequests: baseline.requests, baselineErrors: baseline.errors });
    const detail = describeErrorRateJudgment(spec, j);
    const last: ErrorRateSnapshot = {
      at: ctx.now,
      phase: j.phase,
      reason: j.reason,
      detail,
      requests: j.requests,
      errors: j.errors,
      rate: j.rate,
      baselineRate: j.baselineRate,
      threshold: j.threshold,
      logStatistic: j.logStatistic,
      logBoundary: j.logBoundary,
    };
    const next: TargetState = { ...state, errorRate: { ...er, guardSeries, last, consecutiveErrors: 0 } };
    if (j.phase !== 'failed') return result(next);
    return decideFailure(next, state.guard.release, `error rate: ${detail}`, [snapshotMeasurement(last)], ctx);
  }
  if (BASELINE_PHASES.has(state.phase)) {
    const baselineSeries = fold(er.baselineSeries, readout.readings);
    const before = totalCounts(Object.values(er.baselineSeries));
    const after = totalCounts(Object.values(baselineSeries));
    const delta = { at: ctx.now, requests: after.requests - before.requests, errors: after.errors - before.errors };
    const window = [...er.baselineWindow, ...(delta.requests > 0 ? [delta] : [])].filter((e) => ctx.now - e.at <= config.baselineWindow);
    return result({ ...state, errorRate: { ...er, baselineSeries, baselineWindow: window } });
  }
  return unchanged(state);
}

/**
 * At guard start: freeze the stable release's recent traffic as the baseline, count afresh from here.
 *
 * Readings taken after the new release was created are left out: while Fly rolls it out, and until
 * the next poll notices it, the "stable" counters already carry some of its traffic, which would
 * inflate the baseline and so the threshold (seen end to end: a 0.5% baseline read as 3-9%). When
 * every reading is newer than the release (first seen long after it was created, e.g. after a
 * restart) they cannot be told apart, and all are kept.
 */
export function beginErrorRateGuard(er: ErrorRateState | undefined, releaseCreatedAt?: number): ErrorRateState {
  const current = er ?? emptyErrorRate();
  const before = releaseCreatedAt === undefined ? [] : current.baselineWindow.filter((e) => e.at <= releaseCreatedAt);
  const window = before.length > 0 ? before : current.baselineWindow;
  const baseline = window.reduce((sum, e) => ({ requests: sum.requests + e.requests, errors: sum.errors + e.errors }), { requests: 0, errors: 0 });
  const guardSeries = Object.fromEntries(Object.entries(current.baselineSeries).map(([k, acc]) => [k, startAccumulator(acc.last ?? undefined)]));
  return { baselineSeries: {}, baselineWindow: [], guardSeries, baseline, consecutiveErrors: 0 };
}

/** When the guarded release becomes the running one, its counters become the baseline's. */
export function endErrorRateGuard(er: ErrorRateState | undefined, keepCounters: boolean): ErrorRateState {
  const series = keepCounters && er?.guardSeries ? er.guardSeries : {};
  const baselineSeries = Object.fromEntries(Object.entries(series).map(([k, acc]) => [k, startAccumulator(acc.last ?? undefined)]));
  return { baselineSeries, baselineWindow: [], consecutiveErrors: 0 };
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
