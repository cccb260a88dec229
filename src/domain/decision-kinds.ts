/**
 * Every decision kind, as a value: for input that names one (the crash failpoint) to be checked
 * against. A kind missing here, or one that does not exist, fails to compile.
 */
import type { DecisionKind } from './decision.ts';

const KINDS: Record<DecisionKind, true> = {
  'guard-started': true,
  'insufficient-evidence': true,
  'guard-passed': true,
  'guard-unproven': true,
  'guard-superseded': true,
  'guard-aborted': true,
  'hold-superseded': true,
  'rollback-superseded': true,
  'known-bad-image': true,
  'release-not-live': true,
  'release-failed': true,
  'rollback-held': true,
  'group-rollback-requested': true,
  'group-rollback-planned': true,
  'group-rollback-refused': true,
  'group-rollback-ended': true,
  'rollback-started': true,
  'rollback-approved': true,
  'rollback-vetoed': true,
  'rollback-deploy-retry': true,
  'rollback-deploy-detached': true,
  'rollback-reissued': true,
  'rollback-deployed': true,
  'rollback-recovered': true,
  'rollback-release-seen': true,
  'rollback-verified': true,
  'rollback-failed': true,
  'marked-good': true,
  'marked-bad': true,
};

export const DECISION_KINDS: readonly DecisionKind[] = Object.keys(KINDS) as DecisionKind[];

export function isDecisionKind(kind: string): kind is DecisionKind {
  return Object.hasOwn(KINDS, kind);
}
