/**
 * A rollback group's side of the step: the failing member records the plan its coordinator made
 * (so a restart carries it on), and each member takes its part as an automatic rollback.
 */
import type { GroupRollbackStep, ReleaseRef, TargetState } from '../../domain/target-state.ts';
import { BUSY_PHASES, enter, ref } from './common.ts';
import { refuse, result, unchanged, type StepContext, type StepResult } from './context.ts';
import { startRollback } from './on-rollback.ts';
import { checkRails } from './rails.ts';

export function onGroupPlanned(state: TargetState, group: string, steps: readonly GroupRollbackStep[], ctx: StepContext): StepResult {
  return result({ ...state, groupRollback: { group, steps: [...steps], decidedAt: ctx.now } }, { decisions: [{ kind: 'group-rollback-planned', group, steps: [...steps] }] });
}

/** The coordinator will not roll the group back: the failing member stays held, saying why. */
export function onGroupRefused(state: TargetState, group: string, reason: string, ctx: StepContext): StepResult {
  const held = state.phase === 'held' && state.hold?.kind === 'group';
  const next = held ? enter(state, 'held', ctx.now, { hold: { kind: 'group', reason: `group ${group} will not roll back: ${reason}` }, reason: `${state.reason ?? ''}; ${reason}` }) : state;
  return result({ ...next, groupRollback: undefined }, { decisions: [{ kind: 'group-rollback-refused', group, reason }] });
}

export function onGroupEnded(state: TargetState, group: string, rolledBack: boolean, reason: string): StepResult {
  if (!state.groupRollback) return unchanged(state);
  return result({ ...state, groupRollback: undefined }, { decisions: [{ kind: 'group-rollback-ended', group, rolledBack, reason }] });
}

/**
 * This member's part of its group's automatic rollback. The rails that protect production still
 * apply to it (a migration, a pause, dry-run or approve mode hold it for a human); the cooldown and
 * cap were checked once, for the group, on the member that failed.
 */
export function onGroupRollback(state: TargetState, group: string, to: ReleaseRef, reason: string, ctx: StepContext): StepResult {
  if (BUSY_PHASES.has(state.phase)) return refuse(state, { code: 'rollback-in-progress' });
  const current = state.current ?? state.guard?.release;
  if (!current) return refuse(state, { code: 'no-current-release' });
  const plan = { from: ref(current), to: ref(to), reason, decidedAt: ctx.now, trigger: 'automatic' as const };
  const rails = checkRails({ policy: ctx.policy, now: ctx.now, recentAutomatic: [], hasTarget: true, migrationCrossing: ctx.migrationCrossing?.(plan.from, plan.to) });
  if (!rails.proceed) {
    const why = `${reason}; held: ${rails.reason} (would roll back v${plan.from.version} to the image of v${plan.to.version})`;
    return result(enter(state, 'held', ctx.now, { guard: undefined, plan, hold: { kind: rails.hold, reason: rails.reason }, reason: why }), {
      decisions: [{ kind: 'rollback-held', hold: rails.hold, reason: why, from: plan.from, to: plan.to }],
    });
  }
  // The member that failed first counted this rollback when it asked for the group's.
  const counted = state.phase === 'held' && state.hold?.kind === 'group';
  const autoRollbacks = counted ? state.autoRollbacks : [...state.autoRollbacks, ctx.now];
  return startRollback({ ...state, guard: undefined, autoRollbacks }, plan, ctx, { group });
}
