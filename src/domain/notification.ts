/**
 * What the watchdog tells people. The engine emits these; each channel formats them. An event is
 * plain data that carries everything a human needs to act on it, so formatters never look anything
 * up. `kind` is stable: webhook receivers and channel filters switch on it, so never rename one.
 */
import type { ReleaseRef } from './target-state.ts';

export type { ReleaseRef };

export const SEVERITIES = ['info', 'warning', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Higher is louder; `minSeverity` filters compare these. */
export function severityRank(severity: Severity): number {
  return SEVERITIES.indexOf(severity);
}

export const EVENT_KINDS = [
  'deploy-guarded',
  'release-failing',
  'rollback-started',
  'rollback-finished',
  'rollback-failed',
  'rollback-held',
  'postmortem-required',
  'known-bad-image-redeployed',
  'release-unproven',
] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

/** Fields every event has. */
export interface EventBase {
  target: string;
  environment: string;
  /** When it happened (epoch ms), not when it was sent: deliveries can be retried for minutes. */
  at: number;
  /** Groups the events of one incident (failing → rollback → finished); PagerDuty dedups on it. */
  incidentId?: string;
  severity: Severity;
}

/** A new release appeared and is now inside its watch window. */
export interface DeployGuarded extends EventBase {
  kind: 'deploy-guarded';
  release: ReleaseRef;
  /** Who deployed it, as the platform reports (an email or token name). */
  user?: string;
}

/** The guarded release is failing its checks; a rollback decision follows. */
export interface ReleaseFailing extends EventBase {
  kind: 'release-failing';
  release: ReleaseRef;
  reason: string;
  /** The failing measurements as short lines, e.g. "health: 503 from /ready (3 in a row)". */
  measurements: string[];
}

export interface RollbackStarted extends EventBase {
  kind: 'rollback-started';
  /** The failing release. */
  from: ReleaseRef;
  /** The known-good release whose image is redeployed. */
  to: ReleaseRef;
  reason: string;
  trigger: 'automatic' | 'manual';
  /** For manual rollbacks: who asked (admin token name). */
  actor?: string;
}

export interface RollbackFinished extends EventBase {
  kind: 'rollback-finished';
  from: ReleaseRef;
  to: ReleaseRef;
  /** True when the probes passed on the restored image; false when the deploy ended unverified. */
  verified: boolean;
  /** From the rollback decision to the end of verification. */
  durationMs: number;
}

/** The rollback deploy or its verification failed: production may be down and nobody is fixing it. */
export interface RollbackFailed extends EventBase {
  kind: 'rollback-failed';
  reason: string;
  from?: ReleaseRef;
  to?: ReleaseRef;
}

export type HoldCause = 'needs-approval' | 'migration-boundary' | 'no-known-good-release' | 'other';

/** Something the operator can do about a hold, e.g. `{ label: 'approve', command: '…' }`. */
export interface OperatorAction {
  label: string;
  command: string;
}

/** A rollback is needed but the watchdog will not act alone. */
export interface RollbackHeld extends EventBase {
  kind: 'rollback-held';
  cause: HoldCause;
  /** Why, in words: "release v42 crosses migration 2024_05_add_index". */
  reason: string;
  from?: ReleaseRef;
  to?: ReleaseRef;
  actions: OperatorAction[];
}

export interface PostmortemRequired extends EventBase {
  kind: 'postmortem-required';
  incidentId: string;
  /** How long users were affected: from the first failing check to the verified rollback. */
  impactMs: number;
  reason?: string;
}

/** Someone deployed an image the watchdog already rolled away from. */
export interface KnownBadImageRedeployed extends EventBase {
  kind: 'known-bad-image-redeployed';
  release: ReleaseRef;
  user?: string;
  /** Why the image was judged bad the first time. */
  previousReason?: string;
}

/** A guard ended with no failure but without the evidence to call the release good. */
export interface ReleaseUnproven extends EventBase {
  kind: 'release-unproven';
  release: ReleaseRef;
  /** What was missing: too few conclusive probe rounds, too little traffic. */
  reason: string;
}

export type NotifyEvent =
  | DeployGuarded
  | ReleaseFailing
  | RollbackStarted
  | RollbackFinished
  | RollbackFailed
  | RollbackHeld
  | PostmortemRequired
  | KnownBadImageRedeployed
  | ReleaseUnproven;

/**
 * The severity the engine should use unless it knows better (e.g. a rollback-finished that was
 * not verified is worth a warning). Kept here so every emitter agrees.
 */
export const DEFAULT_SEVERITY = {
  'deploy-guarded': 'info',
  'release-failing': 'warning',
  'rollback-started': 'warning',
  'rollback-finished': 'info',
  'rollback-failed': 'critical',
  'rollback-held': 'critical',
  'postmortem-required': 'warning',
  'known-bad-image-redeployed': 'warning',
  'release-unproven': 'warning',
} as const satisfies Record<EventKind, Severity>;
