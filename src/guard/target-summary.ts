/**
 * The read model of one target that the admin API, the status page, the CLI and the events feed
 * serve: its phase and what it is doing, in plain JSON. The admin API's response schema is checked
 * against this type at compile time (src/admin/response-schema.ts).
 */
import type { ResolvedTarget } from '../config/resolve.ts';
import type { HoldKind, RollbackPolicy } from '../domain/policy.ts';
import type { ProbeTally, RollbackTrigger, TargetPhase, TargetState } from '../domain/target-state.ts';

export interface TargetSummary {
  name: string;
  app: string;
  environment: string;
  phase: TargetPhase;
  since: string;
  reason?: string;
  mode: RollbackPolicy['mode'];
  paused: boolean;
  hold?: { kind: HoldKind; reason: string };
  plan?: { from: number; to?: number; imageRef?: string; reason: string; trigger: RollbackTrigger };
  current?: { version: number; imageRef: string; status: string };
  guard?: { version: number; imageRef: string; endsAt: string; tallies: Record<string, ProbeTally> };
  rollback?: { from: number; to: number; imageRef: string; rollbackVersion?: number; attempts: number };
}

export function summarize(target: ResolvedTarget, s: TargetState, policy: RollbackPolicy): TargetSummary {
  return {
    name: target.name,
    app: target.app,
    environment: target.environment,
    phase: s.phase,
    since: new Date(s.since).toISOString(),
    ...(s.reason && { reason: s.reason }),
    mode: policy.mode,
    paused: policy.paused,
    ...(s.hold && { hold: s.hold }),
    ...(s.plan && {
      plan: {
        from: s.plan.from.version,
        ...(s.plan.to && { to: s.plan.to.version, imageRef: s.plan.to.imageRef }),
        reason: s.plan.reason,
        trigger: s.plan.trigger,
      },
    }),
    ...(s.current && { current: s.current }),
    ...(s.guard && {
      guard: { version: s.guard.release.version, imageRef: s.guard.release.imageRef, endsAt: new Date(s.guard.endsAt).toISOString(), tallies: s.guard.tallies },
    }),
    ...(s.rollback && {
      rollback: {
        from: s.rollback.from.version,
        to: s.rollback.to.version,
        imageRef: s.rollback.to.imageRef,
        ...(s.rollback.rollbackVersion !== undefined && { rollbackVersion: s.rollback.rollbackVersion }),
        attempts: s.rollback.attempts,
      },
    }),
  };
}
