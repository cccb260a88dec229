import type { GuardAction } from './step.ts';
import type { IncidentOutcome } from '../domain/incident.ts';
import type { ReleaseRef, TargetPhase, TargetState } from '../domain/target-state.ts';

/** Phases in which `state.rollback` describes the latest rollback. */
export const ROLLBACK_PHASES: ReadonlySet<TargetPhase> = new Set(['rolling-back', 'verifying', 'rolled-back', 'rollback-failed']);

/** Phases in which an operator may not start another rollback: one is already out. */
export const BUSY_PHASES: ReadonlySet<TargetPhase> = new Set(['rolling-back', 'verifying']);

export const ref = (r: ReleaseRef): ReleaseRef => ({ version: r.version, imageRef: r.imageRef });

/** Moves to `phase`; `since` restarts only on a real change of phase. */
export function enter(state: TargetState, phase: TargetPhase, now: number, patch: Partial<TargetState> = {}): TargetState {
  return { ...state, ...patch, phase, since: phase === state.phase ? state.since : now };
}

export function record(kind: string, level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>): GuardAction {
  return { type: 'record', kind, level, message, ...(data && { data }) };
}

export const seconds = (ms: number) => `${Math.round(ms / 1000)}s`;

/** Closes the target's open incident, if it has one. */
export function closeIncident(state: TargetState, outcome: IncidentOutcome, now: number, recovered = false): { state: TargetState; actions: GuardAction[] } {
  if (!state.incident?.open) return { state, actions: [] };
  return {
    state: { ...state, incident: { ...state.incident, open: false } },
    actions: [{ type: 'close-incident', id: state.incident.id, outcome, ...(recovered && { recoveredAt: now }) }],
  };
}
