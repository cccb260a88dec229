/** The journal's and the log's words for each decision: its level and one line a human reads. */
import type { Decision } from '../../domain/decision.ts';
import type { OperatorVerdict } from '../../domain/target-state.ts';
import { seconds } from './common.ts';

export type Level = 'info' | 'warn' | 'error';

export function describe(d: Decision): { level: Level; message: string } {
  switch (d.kind) {
    case 'guard-started':
      return { level: 'info', message: `new release v${d.version} detected; guarding it for ${seconds(d.windowMs)}` };
    case 'insufficient-evidence':
      return { level: 'info', message: `v${d.version}: insufficient evidence at the end of the watch window (${d.detail}); guarding up to ${seconds(d.guardUntilMs)}` };
    case 'guard-passed':
      if (d.operatorVerdict) return { level: 'info', message: `v${d.version}'s guard passed (${d.reason}); it stays ${markedBy(d.operatorVerdict)}` };
      return { level: 'info', message: `v${d.version} ${d.verdict === 'good' ? 'marked good' : 'left unjudged'}: ${d.reason}` };
    case 'guard-unproven':
      if (d.operatorVerdict) return { level: 'info', message: `v${d.version}'s guard found too little evidence (${d.reason}); it stays ${markedBy(d.operatorVerdict)}` };
      return { level: 'warn', message: `v${d.version} left unproven: ${d.reason}; not a rollback target unless marked good` };
    case 'guard-superseded':
      return { level: 'info', message: `v${d.version} superseded by v${d.by}; its guard ends without a verdict` };
    case 'guard-aborted':
      return { level: 'warn', message: `guard of v${d.version} aborted by ${d.by}` };
    case 'hold-superseded':
      return { level: 'info', message: `v${d.version} was deployed while the target was ${d.phase}; guarding it instead` };
    case 'rollback-superseded':
      return { level: 'warn', message: `v${d.version} was deployed during the rollback of v${d.from}; guarding it instead` };
    case 'known-bad-image':
      return { level: 'error', message: `v${d.version} redeploys a known-bad image: ${d.why}` };
    case 'release-not-live':
      return { level: 'info', message: `v${d.version} ended ${d.status} and no machine runs it: Fly kept the previous image; nothing to guard` };
    case 'release-failed':
      return { level: 'warn', message: `v${d.version} failed its guard: ${d.reason}${d.configOnly ? ' (a config-only release: same image as the release before it)' : ''}` };
    case 'rollback-held':
      return { level: d.hold === 'dry-run' ? 'warn' : 'error', message: d.reason };
    case 'group-rollback-requested':
      return { level: 'warn', message: d.reason };
    case 'group-rollback-planned':
      return { level: 'warn', message: `group ${d.group} rolls back: ${d.steps.map((s) => `${s.target} v${s.from.version} → v${s.to.version}`).join(', ') || 'no member needs it'}` };
    case 'group-rollback-refused':
      return { level: 'error', message: `group ${d.group} will not roll back: ${d.reason}` };
    case 'group-rollback-ended':
      return { level: d.rolledBack ? 'info' : 'error', message: `group ${d.group} ${d.rolledBack ? 'rolled back' : 'stopped rolling back'}: ${d.reason}` };
    case 'rollback-started': {
      const by = d.requestedBy ? ` (by ${d.requestedBy})` : d.group ? ` (with group ${d.group})` : '';
      return { level: 'warn', message: `rolling back v${d.from.version} to the image of v${d.to.version}${by}` };
    }
    case 'rollback-approved':
      return { level: 'info', message: `${d.by} approved the rollback of v${d.from.version}` };
    case 'rollback-vetoed':
      return { level: 'warn', message: `rollback vetoed by ${d.by}; no automatic action until a new release` };
    case 'rollback-deploy-detached':
      return { level: 'warn', message: `flyctl failed (${d.error}), but Fly goes on rolling out v${d.version}, the rollback's release: waiting for it instead of deploying again` };
    case 'rollback-deploy-retry':
      return { level: 'warn', message: `rollback deploy attempt ${d.attempt} of ${d.maxAttempts} failed (${d.error}); retrying in ${seconds(d.retryInMs)}` };
    case 'rollback-reissued':
      return d.after === 'backoff'
        ? { level: 'warn', message: `retrying the rollback deploy (attempt ${d.attempt})` }
        : { level: 'warn', message: `no release from the interrupted rollback deploy after ${seconds(d.waitedMs)}; issuing it again (attempt ${d.attempt})` };
    case 'rollback-deployed':
      return { level: 'info', message: `rollback deploy finished; verifying for up to ${seconds(d.verifyMs)}` };
    case 'rollback-recovered':
      return { level: 'info', message: `found the interrupted rollback deploy as v${d.version} (${d.status})` };
    case 'rollback-release-seen':
      return { level: 'info', message: `v${d.version} is the watchdog's rollback to v${d.to}; verified, not guarded` };
    case 'rollback-verified':
      return { level: 'info', message: `rolled back from v${d.from.version} to the image of v${d.to.version}; all probes passed and every machine ran the image ${d.successes}× in a row` };
    case 'rollback-failed':
      return { level: 'error', message: d.reason };
    case 'marked-good':
    case 'marked-bad':
      return { level: 'warn', message: `v${d.version} marked ${d.kind === 'marked-good' ? 'good' : 'bad'} by ${d.by}` };
  }
}

/** The decision's payload as the journal keeps it (everything but its kind). */
export function journalData(d: Decision): Record<string, unknown> {
  const { kind: _kind, ...data } = d;
  return data;
}

const markedBy = (m: OperatorVerdict) => `${m.verdict}, as ${m.by} marked it during its guard`;
