/**
 * What a guard step writes: its state, verdicts, origins, journal lines and incident changes, as
 * one Transition the store applies atomically before any effect runs. Pure.
 */
import type { ResolvedTarget } from '../../config/resolve.ts';
import { exhaustive } from '../../domain/decision.ts';
import type { TargetState } from '../../domain/target-state.ts';
import type { Transition } from '../../store/types.ts';
import type { Outputs } from './context.ts';
import { describe, journalData } from './describe.ts';

export function toTransition(target: Pick<ResolvedTarget, 'name'>, before: TargetState, state: TargetState, out: Outputs, now: number): Transition {
  const t: Transition = { state, verdicts: [], origins: [], journal: [], openIncidents: [], closeIncidents: [] };
  if (out.decisions.length === 0 && out.writes.length === 0 && out.effects.length === 0 && state.phase === before.phase) t.progressOnly = true;
  // A decision belongs to the incident open before or after it (so the opening and closing lines do too).
  const incidentId = state.incident?.open ? state.incident.id : before.incident?.open ? before.incident.id : undefined;
  for (const w of out.writes) {
    switch (w.type) {
      case 'set-verdict':
        t.verdicts.push({ version: w.version, verdict: w.verdict, reason: w.reason });
        break;
      case 'set-origin':
        t.origins.push({ version: w.version, origin: w.origin });
        break;
      case 'open-incident':
        t.openIncidents.push(w.incident);
        break;
      case 'close-incident':
        t.closeIncidents.push(w.close);
        break;
      default:
        exhaustive(w);
    }
  }
  for (const d of out.decisions) {
    t.journal.push({ target: target.name, at: now, kind: d.kind, message: describe(d).message, data: journalData(d), ...(incidentId && { incidentId }) });
  }
  return t;
}
