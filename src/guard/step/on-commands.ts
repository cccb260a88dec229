/**
 * Operator commands: approve or veto a held rollback, roll back to a chosen release, abort a guard,
 * judge a release by hand. A command that does not fit the target's state changes nothing and
 * comes back refused with a code, decided here so the admin API never reads guard phases.
 */
import type { TargetState } from '../../domain/target-state.ts';
import { BUSY_PHASES, closeIncident, enter, guardEndVerdict, ref } from './common.ts';
import { refuse, result, chain, type RollbackRequest, type StepContext, type StepResult } from './context.ts';
import { startRollback } from './on-rollback.ts';
import { resolveRollback } from './resolve-rollback.ts';

/** An operator approves a held rollback: it proceeds past every rail (a human decided). */
export function onApprove(state: TargetState, by: string, ctx: StepContext): StepResult {
  if (state.phase !== 'held') return refuse(state, { code: 'not-held', phase: state.phase });
  if (!state.plan?.to) return refuse(state, { code: 'no-rollback-target', ...(state.hold && { hold: state.hold }) });
  const plan = { ...state.plan, to: state.plan.to, requestedBy: by };
  return chain({ decisions: [{ kind: 'rollback-approved', by, from: plan.from }] }, startRollback(state, plan, ctx));
}

/** An operator vetoes a held rollback: nothing is deployed, and nothing automatic happens until a new release. */
export function onVeto(state: TargetState, by: string, ctx: StepContext): StepResult {
  if (state.phase !== 'held') return refuse(state, { code: 'not-held', phase: state.phase });
  const reason = `rollback vetoed by ${by}; no automatic action until a new release`;
  const closed = closeIncident(state, 'vetoed', ctx);
  return result(enter(closed.state, 'idle', ctx.now, { plan: undefined, hold: undefined, reason }), {
    decisions: [{ kind: 'rollback-vetoed', by, from: state.plan?.from ?? null }],
    writes: closed.writes ?? [],
    effects: closed.effects ?? [],
  });
}

/** An operator asks for a rollback to a chosen release, from any phase without a rollback out. */
export function onManualRollback(state: TargetState, request: RollbackRequest, by: string, ctx: StepContext): StepResult {
  if (BUSY_PHASES.has(state.phase)) return refuse(state, { code: 'rollback-in-progress' });
  const current = state.current ?? state.guard?.release;
  const choice = resolveRollback(request, ctx.history, current && ref(current));
  if (!choice.ok) return refuse(state, choice.refusal);
  const plan = { from: ref(current!), to: choice.to, reason: `manual rollback requested by ${by}`, decidedAt: ctx.now, trigger: 'manual' as const, requestedBy: by };
  return startRollback({ ...state, guard: undefined }, plan, ctx, { forced: choice.forced });
}

/** An operator ends a guard early: no verdict, and the release is not a rollback target. */
export function onAbort(state: TargetState, by: string, ctx: StepContext): StepResult {
  if (state.phase !== 'guarding' || !state.guard) return refuse(state, { code: 'not-guarding', phase: state.phase });
  const version = state.guard.release.version;
  const reason = `guard of v${version} aborted by ${by}`;
  return result(enter(state, 'idle', ctx.now, { guard: undefined, reason }), {
    writes: [guardEndVerdict(state.guard, 'unknown', reason)],
    decisions: [{ kind: 'guard-aborted', version, by }],
  });
}

/**
 * An operator's verdict on a release. It changes what later rollbacks may choose; it does not
 * itself start or stop one. On the release being guarded, the guard goes on (a failure it sees
 * still rolls it back) and its end keeps the operator's verdict.
 */
export function onMark(state: TargetState, version: number, verdict: 'good' | 'bad', by: string, ctx: StepContext): StepResult {
  if (!ctx.history.some((r) => r.version === version)) return refuse(state, { code: 'release-unknown', version });
  const guarded = state.phase === 'guarding' && state.guard?.release.version === version;
  const next = guarded ? { ...state, guard: { ...state.guard!, operatorVerdict: { verdict, by } } } : state;
  return result(next, {
    writes: [{ type: 'set-verdict', version, verdict, reason: `marked ${verdict} by ${by}` }],
    decisions: [verdict === 'good' ? { kind: 'marked-good', version, by } : { kind: 'marked-bad', version, by }],
  });
}
