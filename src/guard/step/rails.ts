/**
 * The safety rails between "this release is bad" and "deploy the old image": a pure function of the
 * rollback plan, the operator's controls and the target's rollback history. Each rail that stops an
 * automatic rollback says why, so the held target tells the operator exactly what to do.
 */
import type { HoldKind, RollbackPolicy } from '../../domain/policy.ts';

export type RailDecision = { proceed: true } | { proceed: false; hold: HoldKind; reason: string };

export interface RailInput {
  policy: RollbackPolicy;
  now: number;
  /** Times of earlier automatic rollback decisions for this target. */
  recentAutomatic: readonly number[];
  /** Present when the rollback would cross a migration: the reason in words. */
  migrationCrossing?: string;
  hasTarget: boolean;
}

/** Rails in order of how much a human needs to know: the first that applies wins. */
export function checkRails({ policy, now, recentAutomatic, migrationCrossing, hasTarget }: RailInput): RailDecision {
  if (!hasTarget) return { proceed: false, hold: 'no-known-good', reason: 'there is no known-good earlier release to return to' };
  if (migrationCrossing) {
    return {
      proceed: false,
      hold: 'migration',
      reason: `${migrationCrossing}; database migrations are never reversed automatically: write and test a manual SQL reversal on staging, apply it, then approve the code rollback`,
    };
  }
  if (policy.mode === 'dry-run') return { proceed: false, hold: 'dry-run', reason: 'dry-run mode: recorded what would be done, deployed nothing' };
  if (policy.paused) return { proceed: false, hold: 'paused', reason: 'automatic rollbacks are paused for this target' };
  if (policy.mode === 'approve') return { proceed: false, hold: 'approval', reason: 'approve mode: waiting for an operator to approve or veto' };
  const last = recentAutomatic.length > 0 ? Math.max(...recentAutomatic) : undefined;
  if (last !== undefined && now - last < policy.cooldownMs) {
    return {
      proceed: false,
      hold: 'rate-limit',
      reason: `the last automatic rollback was ${Math.round((now - last) / 1000)}s ago, inside the ${Math.round(policy.cooldownMs / 1000)}s cooldown`,
    };
  }
  const inPeriod = recentAutomatic.filter((t) => now - t < policy.maxRollbacks.periodMs).length;
  if (inPeriod >= policy.maxRollbacks.count) {
    return {
      proceed: false,
      hold: 'rate-limit',
      reason: `${inPeriod} automatic rollbacks within ${Math.round(policy.maxRollbacks.periodMs / 60_000)}m already (cap ${policy.maxRollbacks.count})`,
    };
  }
  return { proceed: true };
}

/** Exponential backoff for re-issuing a failed rollback deploy: base × 2^(attempt−1), capped. */
export function deployRetryDelay(attempt: number, baseMs: number, maxMs: number): number {
  return Math.min(maxMs, baseMs * 2 ** Math.max(0, attempt - 1));
}
