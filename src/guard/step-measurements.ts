/** Judging a guarded release from its measurements, and verifying a rollback. */
import type { Measurement } from '../signals/types.ts';
import { decideFailure } from './step-rollback.ts';
import { closeIncident, enter, record, seconds } from './step-common.ts';
import { isInProgress, type TargetState, type Verdict } from './state.ts';
import { MACHINES_CHECK, type GuardAction, type StepContext, type StepResult } from './step.ts';
import { allPassing, failingProbes, foldRound } from './tally.ts';

export function onProbeRound(state: TargetState, measurements: readonly Measurement[], ctx: StepContext): StepResult {
  if (state.phase === 'guarding' && state.guard) {
    const tallies = foldRound(state.guard.tallies, measurements);
    const next: TargetState = { ...state, guard: { ...state.guard, tallies } };
    const failing = failingProbes(tallies, ctx.target.guard.failureThreshold);
    if (failing.length === 0) return { state: next, actions: [] };
    return decideFailure(next, state.guard.release, failing.join('; '), measurements, ctx);
  }
  if (state.phase === 'verifying' && state.rollback) {
    const tallies = foldRound(state.rollback.tallies, measurements);
    const next: TargetState = { ...state, rollback: { ...state.rollback, tallies } };
    const checks = [...ctx.target.probes.map((p) => p.name), MACHINES_CHECK];
    if (!allPassing(tallies, checks, ctx.target.verify.successes)) return { state: next, actions: [] };
    const rb = state.rollback;
    const reason = `rolled back from v${rb.from.version} to the image of v${rb.to.version}; all probes passed and every machine ran the image ${ctx.target.verify.successes}× in a row`;
    const actions: GuardAction[] = [record('rollback-verified', 'info', reason, { from: rb.from, to: rb.to, rollbackVersion: rb.rollbackVersion, trigger: rb.trigger })];
    if (rb.rollbackVersion !== undefined) {
      actions.unshift({ type: 'set-verdict', version: rb.rollbackVersion, verdict: 'good', reason: 'rollback verified healthy' });
    }
    const closed = closeIncident(next, 'rolled-back', ctx.now, true);
    return { state: enter(closed.state, 'rolled-back', ctx.now, { reason }), actions: [...actions, ...closed.actions] };
  }
  return { state, actions: [] };
}

/** The end of a watch window (verdict good) or of a verification (rollback failed). */
export function onWindowTick(state: TargetState, ctx: StepContext): StepResult {
  if (state.phase === 'guarding' && state.guard && ctx.now >= state.guard.endsAt) {
    const g = state.guard;
    const finished = !isInProgress(g.release.status) && g.release.status === 'complete';
    const verdict: Verdict = finished ? 'good' : 'unknown';
    const reason = finished
      ? `healthy for the whole ${seconds(ctx.target.guard.watchWindow)} watch window`
      : `probes passed, but the platform reported the release ${g.release.status}; not eligible as a rollback target`;
    return {
      state: enter(state, 'stable', ctx.now, { guard: undefined, reason: undefined }),
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
