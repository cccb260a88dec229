/** Small helpers every handler uses: phase changes, release refs, durations, closing the incident. */
import { closeIncident as closeRecord, type IncidentOutcome } from '../../domain/incident.ts';
import { DEFAULT_SEVERITY } from '../../domain/notification.ts';
import type { Write } from '../../domain/decision.ts';
import type { GuardProgress, ReleaseRef, TargetPhase, TargetState, Verdict } from '../../domain/target-state.ts';
import type { Outputs, StepContext } from './context.ts';

/** Phases in which `state.rollback` describes the latest rollback. */
export const ROLLBACK_PHASES: ReadonlySet<TargetPhase> = new Set(['rolling-back', 'verifying', 'rolled-back', 'rollback-failed']);

/** Phases in which no second rollback may start: one is already out. */
export const BUSY_PHASES: ReadonlySet<TargetPhase> = new Set(['rolling-back', 'verifying']);

export const ref = (r: ReleaseRef): ReleaseRef => ({ version: r.version, imageRef: r.imageRef, ...(r.imageDigest && { imageDigest: r.imageDigest }) });

/** Moves to `phase`; `since` restarts only on a real change of phase. */
export function enter(state: TargetState, phase: TargetPhase, now: number, patch: Partial<TargetState> = {}): TargetState {
  return { ...state, ...patch, phase, since: phase === state.phase ? state.since : now };
}

export const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

/**
 * The verdict written when a guard ends without a failure (passed, unproven, aborted, superseded).
 * An operator who marked the release while it was guarded knows something the guard does not; that
 * mark stands. A failure is not written here: what the guard saw after the mark wins.
 */
export function guardEndVerdict(guard: GuardProgress, verdict: Verdict, reason: string): Write {
  const version = guard.release.version;
  const mark = guard.operatorVerdict;
  if (!mark) return { type: 'set-verdict', version, verdict, reason };
  return { type: 'set-verdict', version, verdict: mark.verdict, reason: `marked ${mark.verdict} by ${mark.by} during its guard (the guard found: ${reason})` };
}

/**
 * Closes the target's open incident, if it has one: the close (with its post-mortem verdict) is
 * written with the state, and a post-mortem notice goes out when users were hurt for too long.
 */
export function closeIncident(state: TargetState, outcome: IncidentOutcome, ctx: StepContext, recovered = false): { state: TargetState } & Partial<Outputs> {
  const incident = state.incident;
  if (!incident?.open) return { state };
  const close = closeRecord({ id: incident.id, impactStartedAt: incident.impactStartedAt ?? ctx.now }, outcome, ctx.now, ctx.postmortemAfterMs, recovered ? ctx.now : undefined);
  return {
    state: { ...state, incident: { ...incident, open: false } },
    writes: [{ type: 'close-incident', close }],
    effects: close.postmortemRequired
      ? [
          {
            type: 'notify',
            event: {
              kind: 'postmortem-required',
              severity: DEFAULT_SEVERITY['postmortem-required'],
              target: ctx.target.name,
              environment: ctx.target.environment,
              at: ctx.now,
              incidentId: incident.id,
              impactMs: close.impactMs,
              ...(incident.reason !== undefined && { reason: incident.reason }),
            },
          },
        ]
      : [],
  };
}
