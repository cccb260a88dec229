/**
 * What a guard step writes: its state, verdicts, origins, journal lines and incident changes, as
 * one Transition the store applies atomically before any action runs. Pure.
 */
import type { ResolvedTarget } from '../config/resolve.ts';
import type { Transition } from '../store/types.ts';
import type { TargetState } from '../domain/target-state.ts';
import type { GuardAction } from './step.ts';

export function toTransition(
  target: Pick<ResolvedTarget, 'name' | 'environment'>,
  before: TargetState,
  state: TargetState,
  actions: readonly GuardAction[],
  now: number,
  postmortemAfterMs: number,
): Transition {
  const t: Transition = { state, verdicts: [], origins: [], journal: [], openIncidents: [], closeIncidents: [] };
  if (actions.length === 0 && state.phase === before.phase) t.progressOnly = true;
  // A decision belongs to the incident open before or after it (so the opening and closing lines do too).
  const incidentId = state.incident?.open ? state.incident.id : before.incident?.open ? before.incident.id : undefined;
  for (const a of actions) {
    if (a.type === 'set-verdict') t.verdicts.push({ version: a.version, verdict: a.verdict, reason: a.reason });
    if (a.type === 'set-origin') t.origins.push({ version: a.version, origin: a.origin });
    if (a.type === 'record') {
      t.journal.push({ target: target.name, at: now, kind: a.kind, message: a.message, ...(a.data && { data: a.data }), ...(incidentId && { incidentId }) });
    }
    if (a.type === 'open-incident') {
      t.openIncidents.push({
        id: a.id,
        target: target.name,
        environment: target.environment,
        version: a.version,
        imageRef: a.imageRef,
        reason: a.reason,
        status: 'open',
        openedAt: now,
        impactStartedAt: a.impactStartedAt,
        postmortemRequired: false,
        evidence: a.evidence.length > 0 ? [{ kind: 'measurements', at: now, lines: a.evidence }] : [],
      });
    }
    if (a.type === 'close-incident') {
      t.closeIncidents.push({ id: a.id, outcome: a.outcome, closedAt: now, postmortemAfterMs, ...(a.recoveredAt !== undefined && { recoveredAt: a.recoveredAt }) });
    }
  }
  return t;
}
