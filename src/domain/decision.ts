/**
 * What one guard step decides, as typed values: decisions (journaled, logged, counted and told),
 * writes (stored with the state in one transaction) and effects (performed once that transaction
 * is durable). Operator commands that do not fit the target's state come back as a coded refusal.
 * Every consumer switches over these unions without a default branch, so a new kind that some
 * consumer does not handle fails to compile.
 */
import type { Incident, IncidentClose } from './incident.ts';
import type { NotifyEvent } from './notification.ts';
import type { HoldKind } from './policy.ts';
import type { GroupRollbackStep, OperatorVerdict, ProbeTally, ReleaseOrigin, ReleaseRef, RollbackTrigger, TargetPhase, Verdict } from './target-state.ts';

/** One measurement as kept in a decision's evidence. */
export interface MeasurementNote {
  check: string;
  phase: string;
  detail: string;
  values?: Record<string, number | string | boolean>;
}

export type Decision =
  | { kind: 'guard-started'; version: number; imageRef: string; status: string; user: string; windowMs: number }
  | { kind: 'insufficient-evidence'; version: number; detail: string; guardUntilMs: number }
  | { kind: 'guard-passed'; version: number; verdict: Extract<Verdict, 'good' | 'unknown'>; reason: string; tallies: Record<string, ProbeTally>; operatorVerdict?: OperatorVerdict }
  /** The window ended with no failure, but not the evidence to call the release good. */
  | { kind: 'guard-unproven'; version: number; reason: string; tallies: Record<string, ProbeTally>; operatorVerdict?: OperatorVerdict }
  | { kind: 'guard-superseded'; version: number; by: number }
  | { kind: 'guard-aborted'; version: number; by: string }
  | { kind: 'hold-superseded'; version: number; phase: TargetPhase }
  | { kind: 'rollback-superseded'; version: number; from: number }
  | { kind: 'known-bad-image'; version: number; imageRef: string; badVersion: number; why: string }
  /** A release that ended failed or interrupted while no machine runs it: Fly kept the previous image. */
  | { kind: 'release-not-live'; version: number; status: string }
  | { kind: 'release-failed'; version: number; imageRef: string; reason: string; rollbackTo: number | null; measurements: MeasurementNote[]; configOnly?: boolean }
  | { kind: 'rollback-held'; hold: HoldKind; reason: string; from: ReleaseRef; to: ReleaseRef | null }
  | { kind: 'group-rollback-requested'; group: string; from: ReleaseRef; reason: string }
  | { kind: 'group-rollback-planned'; group: string; steps: GroupRollbackStep[] }
  | { kind: 'group-rollback-refused'; group: string; reason: string }
  | { kind: 'group-rollback-ended'; group: string; rolledBack: boolean; reason: string }
  | { kind: 'rollback-started'; from: ReleaseRef; to: ReleaseRef; trigger: RollbackTrigger; /** flyctl's --strategy; absent: the app's own. */ strategy?: string; requestedBy?: string; group?: string; forced?: boolean }
  | { kind: 'rollback-approved'; by: string; from: ReleaseRef }
  | { kind: 'rollback-vetoed'; by: string; from: ReleaseRef | null }
  | { kind: 'rollback-deploy-retry'; attempt: number; maxAttempts: number; error: string; retryInMs: number }
  /** flyctl failed, but Fly goes on rolling the rollback's release out: wait for it, deploy nothing more. */
  | { kind: 'rollback-deploy-detached'; version: number; error: string }
  | { kind: 'rollback-reissued'; attempt: number; after: 'backoff' }
  | { kind: 'rollback-reissued'; attempt: number; after: 'no-release'; waitedMs: number }
  | { kind: 'rollback-deployed'; rollbackVersion: number | null; verifyMs: number }
  | { kind: 'rollback-recovered'; version: number; status: string }
  | { kind: 'rollback-release-seen'; version: number; imageRef: string; to: number }
  | { kind: 'rollback-verified'; from: ReleaseRef; to: ReleaseRef; rollbackVersion: number | null; trigger: RollbackTrigger; successes: number }
  | { kind: 'rollback-failed'; cause: 'deploy' | 'verification' | 'no-release'; reason: string; from: ReleaseRef; to: ReleaseRef; tallies?: Record<string, ProbeTally> }
  | { kind: 'marked-good'; version: number; by: string }
  | { kind: 'marked-bad'; version: number; by: string };

export type DecisionKind = Decision['kind'];

/** Written with the state, atomically, before any effect. */
export type Write =
  | { type: 'set-verdict'; version: number; verdict: Verdict; reason: string }
  | { type: 'set-origin'; version: number; origin: ReleaseOrigin }
  | { type: 'open-incident'; incident: Incident }
  | { type: 'close-incident'; close: IncidentClose };

/** Performed once the transition that asked for it is durable. */
export type Effect =
  /** Redeploy an earlier image (never two at once for one target). */
  | { type: 'deploy'; imageRef: string; toVersion: number }
  /** Feed a `proceed` event (check the rails) right after this transition. */
  | { type: 'proceed' }
  /** Record which database migration the release runs on. */
  | { type: 'read-migration-marker'; version: number }
  /** The runbook's "read fly logs", kept with the incident. */
  | { type: 'fetch-logs'; incidentId: string }
  /** Hand the failing member's rollback to its group's coordinator. */
  | { type: 'coordinate-group'; group: string; from: ReleaseRef }
  | { type: 'notify'; event: NotifyEvent };

/** Why an operator command was not applied; the admin API answers each with its own error code. */
export type Refusal =
  | { code: 'not-held'; phase: TargetPhase }
  | { code: 'no-rollback-target'; hold?: { kind: HoldKind; reason: string } }
  | { code: 'not-guarding'; phase: TargetPhase }
  | { code: 'rollback-in-progress' }
  | { code: 'no-current-release' }
  | { code: 'release-unknown'; version: number }
  | { code: 'image-unknown'; imageRef: string }
  | { code: 'no-known-good'; current: number }
  | { code: 'release-judged-bad'; version: number; badVersion: number; reason?: string }
  | { code: 'already-current'; version: number; imageRef: string }
  /** Fly recorded no image for the release: there is nothing to redeploy. */
  | { code: 'no-image'; version: number };

export type RefusalCode = Refusal['code'];

/**
 * Placed after a switch over a union: it compiles only when every member was handled above (the
 * switch then leaves nothing, `never`), so a new kind nobody handles is a compile error.
 */
export function exhaustive(value: never): never {
  throw new Error(`unhandled: ${JSON.stringify(value)}`);
}
