/**
 * Before a group rolls back, every member's part is checked against the rails that protect
 * production (a migration crossing, a pause, dry-run or approve mode): a group stopped half-way
 * (new worker, old API) can be worse than either pair, so one refusal refuses the whole plan.
 */
import type { ResolvedTarget } from '../../config/resolve.ts';
import type { RollbackPolicy } from '../../domain/policy.ts';
import type { GroupRollbackStep, ReleaseView } from '../../domain/target-state.ts';
import { migrationCrossing } from './migrations.ts';
import { checkRails } from './rails.ts';

export function groupStepRefusal(step: GroupRollbackStep, history: readonly ReleaseView[], target: ResolvedTarget, policy: RollbackPolicy, now: number): string | undefined {
  const crossing = target.migrations ? migrationCrossing(history, step.from, step.to) : undefined;
  // The cooldown and cap were checked once, for the group, on the member that failed.
  const rails = checkRails({ policy, now, recentAutomatic: [], hasTarget: true, ...(crossing && { migrationCrossing: crossing }) });
  return rails.proceed ? undefined : rails.reason;
}
