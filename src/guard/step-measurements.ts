/** Judging a guarded release from its measurements, and verifying a rollback. */
import type { Measurement } from '../domain/measurement.ts';
import { decideFailure } from './step-rollback.ts';
import { closeIncident, enter, record, seconds } from './step-common.ts';
import { isInProgress, type TargetState, type Verdict } from '../domain/target-state.ts';
import { MACHINES_CHECK, type GuardAction, type StepContext, type StepResult } from './step.ts';
import { endErrorRateGuard } from './step-error-rate.ts';
import type { LatencyReadout } from '../domain/measurement.ts';
import { allPassing, failingProbes, foldRound } from './tally.ts';

/** Consecutive failed rounds that fail a release, per check: smoke tests retry inside, so one is decisive. */
export function thresholdFor(ctx: StepContext): (check: string) => number {
  return (check) => {
    const probe = ctx.target.probes.find((p) => p.name === check);
    return probe?.failureThreshold ?? (probe?.type === 'smoke' ? 1 : ctx.target.guard.failureThreshold);
  };
}

/** Checks that verify a rollback: every probe but smoke tests (minutes long), and the machines' image. */
export function verifyChecks(ctx: StepContext): string[] {
  return [...ctx.target.probes.filter((p) => p.type !== 'smoke').map((p) => p.name), MACHINES_CHECK];
}

export function onProbeRound(state: TargetState, measurements: readonly Measurement[], ctx: StepContext): StepResult {
  if (state.phase === 'guarding' && state.guard) {
    const tallies = foldRound(state.guard.tallies, measurements);
    const next: TargetState = { ...state, guard: { ...state.guard, tallies } };
    const failing = failingProbes(tallies, thresholdFor(ctx));
    if (failing.length === 0) return { state: next, actions: [] };
    return decideFailure(next, state.guard.release, failing.join('; '), measurements, ctx);
  }
  if (state.phase === 'verifying' && state.rollback) {
    const tallies = foldRound(state.rollback.tallies, measurements);
    const next: TargetState = { ...state, rollback: { ...state.rollback, tallies } };
    if (!allPassing(tallies, verifyChecks(ctx), ctx.target.verify.successes)) return { state: next, actions: [] };
    const rb = state.rollback;
    const reason = `rolled back from v${rb.from.version} to the image of v${rb.to.version}; all probes passed and every machine ran the image ${ctx.target.verify.successes}× in a row`;
    const actions: GuardAction[] = [record('rollback-verified', 'info', reason, { from: rb.from, to: rb.to, rollbackVersion: rb.rollbackVersion, trigger: rb.trigger })];
    if (rb.rollbackVersion !== undefined) {
      actions.unshift({ type: 'set-verdict', version: rb.rollbackVersion, verdict: 'good', reason: 'rollback verified healthy' });
    }
    const closed = closeIncident(next, 'rolled-back', ctx.now, true);
    const errorRate = ctx.target.errorRate ? { errorRate: endErrorRateGuard(state.errorRate, false) } : {};
    return { state: enter(closed.state, 'rolled-back', ctx.now, { reason, ...errorRate }), actions: [...actions, ...closed.actions] };
  }
  return { state, actions: [] };
}

/** The end of a watch window (verdict good) or of a verification (rollback failed). */
export function onWindowTick(state: TargetState, ctx: StepContext): StepResult {
  if (state.phase === 'guarding' && state.guard && ctx.now >= state.guard.endsAt) {
    const g = state.guard;
    const er = ctx.target.errorRate ? state.errorRate?.last : undefined;
    const undecided = ctx.target.errorRate !== undefined && (er === undefined || er.phase !== 'successful');
    const maxEnd = g.startedAt + Math.max(ctx.target.errorRate?.maxWindow ?? 0, ctx.target.guard.watchWindow);
    // Too little evidence is its own verdict: keep watching (probes go on meanwhile) up to maxWindow.
    if (undecided && ctx.now < maxEnd) {
      if (state.errorRate?.extended) return { state, actions: [] };
      const why = er ? er.detail : 'no error-rate reading yet';
      return {
        state: { ...state, errorRate: { ...state.errorRate!, extended: true } },
        actions: [record('insufficient-evidence', 'info', `v${g.release.version}: insufficient evidence at the end of the watch window (${why}); guarding up to ${seconds(maxEnd - g.startedAt)}`, { version: g.release.version })],
      };
    }
    const finished = !isInProgress(g.release.status) && g.release.status === 'complete';
    const unconfirmed = undecided && er?.reason === 'above-threshold-unconfirmed';
    const verdict: Verdict = finished && !unconfirmed ? 'good' : 'unknown';
    const evidenceNote = !undecided ? '' : er === undefined || er.phase === 'error' ? '; error rate unavailable, judged on probes' : `; error rate: ${er.detail}`;
    const reason = !finished
      ? `probes passed, but the platform reported the release ${g.release.status}; not eligible as a rollback target`
      : unconfirmed
        ? `the error rate looked above its threshold without becoming significant (${er?.detail}); not trusted as a rollback target`
        : `healthy for the whole ${seconds(ctx.now - g.startedAt)} watch window${evidenceNote}`;
    const errorRate = ctx.target.errorRate ? { errorRate: endErrorRateGuard(state.errorRate, true) } : {};
    return {
      state: enter(state, 'stable', ctx.now, { guard: undefined, reason: undefined, ...errorRate }),
      actions: [
        { type: 'set-verdict', version: g.release.version, verdict, reason },
        record('guard-passed', 'info', `v${g.release.version} ${verdict === 'good' ? 'marked good' : 'left unjudged'}: ${reason}`, {
          version: g.release.version,
          tallies: g.tallies,
        }),
      ],
    };
  }
  if (state.phase === 'verifying' && state.rollback?.verifyEndsAt !== undefined && ctx.now >= state.rollback.verifyEndsAt) {
    const rb = state.rollback;
    const failing = Object.entries(rb.tallies)
      .map(([name, t]) => `${name}: ${t.lastDetail ?? 'no result'}`)
      .join('; ');
    const reason = `rollback to v${rb.to.version}'s image did not verify within ${seconds(ctx.target.verify.timeout)} (${failing || 'no probe results'})`;
    const actions: GuardAction[] = [record('rollback-failed', 'error', reason, { from: rb.from, to: rb.to, tallies: rb.tallies })];
    if (rb.rollbackVersion !== undefined) {
      actions.unshift({ type: 'set-verdict', version: rb.rollbackVersion, verdict: 'bad', reason: 'rollback did not verify' });
    }
    return { state: enter(state, 'rollback-failed', ctx.now, { reason }), actions };
  }
  return { state, actions: [] };
}

/** An operator ends a guard early: no verdict, and the release is not a rollback target. */
export function onAbort(state: TargetState, by: string, ctx: StepContext): StepResult {
  if (state.phase !== 'guarding' || !state.guard) return { state, actions: [] };
  const version = state.guard.release.version;
  const reason = `guard of v${version} aborted by ${by}`;
  return {
    state: enter(state, 'idle', ctx.now, { guard: undefined, reason }),
    actions: [
      { type: 'set-verdict', version, verdict: 'unknown', reason },
      record('guard-aborted', 'warn', reason, { version }),
    ],
  };
}

/** The measurement name of latency readings. */
export const LATENCY_CHECK = 'latency';

/**
 * Latency: while stable the reading becomes the reference; while guarding it is compared with the
 * ceiling and with reference × tolerance, and counts like a probe (consecutive failed rounds).
 */
export function onLatency(state: TargetState, readout: LatencyReadout, ctx: StepContext): StepResult {
  const config = ctx.target.latency;
  if (!config) return { state, actions: [] };
  if (state.phase === 'stable' || state.phase === 'idle' || state.phase === 'rolled-back') {
    return readout.ok ? { state: { ...state, latencyBaseline: readout.seconds }, actions: [] } : { state, actions: [] };
  }
  if (state.phase !== 'guarding') return { state, actions: [] };
  const limits = [
    ...(config.ceiling !== undefined ? [config.ceiling / 1000] : []),
    ...(config.tolerance !== undefined && state.latencyBaseline !== undefined ? [state.latencyBaseline * config.tolerance] : []),
  ];
  const limit = limits.length > 0 ? Math.min(...limits) : undefined;
  const m: Measurement = !readout.ok
    ? { check: LATENCY_CHECK, phase: readout.phase, at: readout.at, durationMs: 0, detail: readout.detail }
    : limit === undefined
      ? { check: LATENCY_CHECK, phase: 'inconclusive', at: readout.at, durationMs: 0, detail: `${readout.seconds.toFixed(3)}s; no reference latency yet` }
      : {
          check: LATENCY_CHECK,
          phase: readout.seconds > limit ? 'failed' : 'successful',
          at: readout.at,
          durationMs: 0,
          detail: `${readout.seconds.toFixed(3)}s (limit ${limit.toFixed(3)}s)`,
          values: { seconds: readout.seconds, limit, ...(state.latencyBaseline !== undefined && { baseline: state.latencyBaseline }) },
        };
  // Only a real answer counts: an unreadable latency source never fails a release.
  return onProbeRound(state, [m.phase === 'error' ? { ...m, phase: 'inconclusive' } : m], ctx);
}
