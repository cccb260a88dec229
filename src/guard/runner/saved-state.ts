/**
 * States saved by earlier versions of the daemon, brought up to today's shape when a runner opens
 * them, so an upgrade resumes a guard or a rollback instead of failing to load it.
 */
import { addBaselineReadings, emptyBaselineHistory } from '../../analysis/baseline-history.ts';
import type { ErrorRateState, TargetState } from '../../domain/target-state.ts';
import type { Store } from '../../store/types.ts';

/** What an error-rate state saved before the remembered baseline held instead. */
type LegacyErrorRate = ErrorRateState & { baselineWindow?: { at: number; requests: number; errors: number }[]; baseline?: unknown };

/**
 * - No autoRollbacks: none were recorded.
 * - An open incident without its impact start: read it back once, so closing it needs no store read.
 * - An error rate with a 30-minute window of baseline readings: they become the remembered baseline
 *   (a guard under way restarts its test on it; the frozen counts it had are dropped).
 */
export async function upgradeSavedState(saved: TargetState, store: Store): Promise<TargetState> {
  let state = { ...saved, autoRollbacks: saved.autoRollbacks ?? [] };
  const incident = state.incident;
  if (incident?.open && incident.impactStartedAt === undefined) {
    const stored = await store.getIncident(incident.id);
    if (stored) state = { ...state, incident: { ...incident, impactStartedAt: stored.impactStartedAt, version: stored.version, reason: stored.reason } };
  }
  const er = state.errorRate as LegacyErrorRate | undefined;
  if (er && er.baselineHistory === undefined) {
    const { baselineWindow, baseline: _frozen, ...rest } = er;
    state = { ...state, errorRate: { ...rest, baselineHistory: addBaselineReadings(emptyBaselineHistory(), baselineWindow ?? []) } };
  }
  return state;
}
