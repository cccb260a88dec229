/**
 * Per-target guard state. It is plain data, persisted as JSON after every transition and before
 * the action that transition leads to, so a restarted daemon resumes exactly where it stopped.
 */
import type { Release } from './release.ts';
import type { HoldKind } from './policy.ts';
import type { CounterAccumulator } from './measurement.ts';
import type { BaselineHistory, BaselineSummary, ErrorRateTestState } from './error-rate-evidence.ts';
import type { IncidentHandle } from './incident.ts';

export type TargetPhase =
  | 'idle' // nothing guarded yet (fresh start, before the first release list)
  | 'guarding' // a new release is inside its watch window
  | 'stable' // the last guarded release passed its window
  | 'failing' // judged bad; the decision is recorded and the safety rails are being checked
  | 'rolling-back' // a rollback deploy is decided and issued (or about to be)
  | 'verifying' // the rollback deploy finished; probes must pass before we call it done
  | 'rolled-back' // verified healthy on the earlier image; no more automatic action until a new release
  | 'rollback-failed' // the rollback deploy or its verification failed; a human must look
  | 'held'; // a rollback is needed but the watchdog will not guess (e.g. no known-good release)

/**
 * `unproven`: the guard ended without a failure but without the evidence to call the release good
 * (too few conclusive probe rounds, too little traffic): never a rollback target unless an
 * operator marks it good. `unknown`: no verdict at all (superseded, aborted, never finished).
 */
export type Verdict = 'pending' | 'good' | 'bad' | 'unknown' | 'unproven';
/** `rollback` marks releases the watchdog created itself; they are verified, never guarded. */
export type ReleaseOrigin = 'deploy' | 'rollback';

/** A platform release plus what the watchdog has concluded about it. */
export interface ReleaseView extends Release {
  /**
   * Whether the release reached the machines (some machine is on it, started or not), when the
   * poller had to ask (a release that ended failed or interrupted, or one stuck in running):
   * undefined when nobody asked or the machines could not be read.
   */
  live?: boolean;
  verdict: Verdict;
  verdictReason?: string;
  origin: ReleaseOrigin;
  /** Latest applied database migration when the release was first guarded (if a source is configured). */
  migrationMarker?: number;
}

export interface ReleaseRef {
  version: number;
  imageRef: string;
  /** The build's digest, when the machines reported one (tags can be reused; see build-identity.ts). */
  imageDigest?: string;
}

/** Running counts for one probe within one guard or verification. */
export interface ProbeTally {
  rounds: number;
  failures: number;
  consecutiveFailures: number;
  consecutiveSuccesses: number;
  /** Last result in words, e.g. "503 from /api/v1/ready" or "connection refused". */
  lastDetail?: string;
  /** When the current run of failures began: the start of user-facing impact. */
  streakStartedAt?: number;
}

export interface OperatorVerdict {
  verdict: 'good' | 'bad';
  by: string;
}

export interface GuardProgress {
  release: ReleaseRef & { status: string };
  /**
   * The release carries the same image as the release before it: a secrets or config change
   * (`fly secrets set`), which redeploying an earlier image cannot undo.
   */
  configOnly?: boolean;
  startedAt: number;
  endsAt: number;
  tallies: Record<string, ProbeTally>;
  /** An operator's verdict on this release, given while it was guarded: the guard's end keeps it. */
  operatorVerdict?: OperatorVerdict;
}

export type RollbackTrigger = 'automatic' | 'manual';

/** What the watchdog intends while failing or held: leave `from`, return to `to` (if any). */
export interface RollbackPlan {
  from: ReleaseRef;
  to?: ReleaseRef;
  reason: string;
  decidedAt: number;
  trigger: RollbackTrigger;
  /** The operator who asked (manual rollback) or approved. */
  requestedBy?: string;
  /** A config-only release failed: no image is rolled back or judged. */
  configOnly?: boolean;
}

export interface Hold {
  kind: HoldKind;
  reason: string;
}

export interface RollbackProgress {
  /** The failing release. */
  from: ReleaseRef;
  /** The known-good release whose image is redeployed. */
  to: ReleaseRef;
  reason: string;
  decidedAt: number;
  trigger: RollbackTrigger;
  requestedBy?: string;
  /** Set, and persisted, before flyctl is started: a restart then knows a deploy may be in flight. */
  issuedAt?: number;
  attempts: number;
  /** After a failed deploy: when the next attempt may start (backoff). */
  retryAt?: number;
  lastError?: string;
  /** The release our deploy created, once seen running or complete: the rollback under way. */
  rollbackVersion?: number;
  /** Releases of our image that ended failed or interrupted: attempts, never the rollback. */
  attemptVersions?: number[];
  /**
   * After a failed attempt: true once a release listing showed no release of ours still rolling
   * out. Only then may the attempt be made again: flyctl can fail while Fly goes on deploying.
   */
  listedAfterFailure?: boolean;
  verifyEndsAt?: number;
  tallies: Record<string, ProbeTally>;
}

/** One member's part of a group rollback: leave `from`, go back to `to`. */
export interface GroupRollbackStep {
  target: string;
  from: ReleaseRef;
  to: ReleaseRef;
}

export interface TargetState {
  target: string;
  phase: TargetPhase;
  /** When the current phase began (epoch ms). */
  since: number;
  /** Newest release version already handled; anything above it is new. */
  lastSeenVersion: number;
  /** The newest release the platform reported. */
  current?: ReleaseRef & { status: string };
  guard?: GuardProgress;
  /** While failing or held: the decision and where it would go back to. */
  plan?: RollbackPlan;
  hold?: Hold;
  rollback?: RollbackProgress;
  /** Why the target is in this phase, for held / rollback-failed / rolled-back. */
  reason?: string;
  /** When automatic rollbacks were issued (for cooldown and the per-period cap); pruned to a day. */
  autoRollbacks: number[];
  /** The incident of the latest failed release, open until it is resolved one way or another. */
  incident?: IncidentHandle;
  /**
   * A group rollback this target asked for (it failed first), kept until the coordinator has
   * carried it out, so a restart in the middle carries it on instead of planning it again.
   */
  groupRollback?: { group: string; steps: GroupRollbackStep[]; decidedAt: number };
  errorRate?: ErrorRateState;
  /** Latency of the stable release (seconds), the reference for a latency tolerance. */
  latencyBaseline?: number;
}

/** Request and error counts over some period. */
export interface Counts {
  requests: number;
  errors: number;
}

/** The latest error-rate judgment, with the numbers behind it (kept, logged and served). */
export interface ErrorRateSnapshot extends Counts {
  at: number;
  phase: 'successful' | 'failed' | 'error' | 'inconclusive';
  reason: string;
  detail: string;
  rate: number;
  baselineRate: number;
  threshold: number;
  logStatistic: number;
  logBoundary: number;
}

export interface ErrorRateState {
  /** Per-series counters of the running release. */
  baselineSeries: Record<string, CounterAccumulator>;
  /**
   * The stable releases' traffic in time blocks, up to the config's baselineRetention: it outlives
   * guards (a release that passed joins it) and restarts, so a low-traffic app has a baseline.
   * Absent in states saved before it existed.
   */
  baselineHistory?: BaselineHistory;
  /** While guarding: the new release's counters since its guard began. */
  guardSeries?: Record<string, CounterAccumulator>;
  /** While guarding: the baseline frozen at its start, the test's state, and the new release's own traffic. */
  guard?: { baseline: BaselineSummary; test: ErrorRateTestState; history: BaselineHistory };
  last?: ErrorRateSnapshot;
  consecutiveErrors: number;
  /** The watch window ended with insufficient evidence; the guard goes on, up to maxWindow. */
  extended?: boolean;
}

export function initialState(target: string, now: number): TargetState {
  return { target, phase: 'idle', since: now, lastSeenVersion: 0, autoRollbacks: [] };
}

/** Releases still being rolled out by the platform: not yet something to judge. */
export function isInProgress(status: string): boolean {
  return status === 'running' || status === 'pending';
}
