/**
 * Which decisions people hear about, and what they are told: a pure mapping from a recorded
 * decision (and the state around it) to a notification event. Kinds not listed stay in the log.
 */
import type { ResolvedTarget } from '../config/resolve.ts';
import type { Incident } from '../domain/incident.ts';
import { DEFAULT_SEVERITY, type HoldCause, type NotifyEvent } from '../domain/notification.ts';
import type { HoldKind } from '../domain/policy.ts';
import type { TargetState } from '../domain/target-state.ts';

const HOLD_CAUSE: Record<HoldKind, HoldCause> = {
  approval: 'needs-approval',
  migration: 'migration-boundary',
  'no-known-good': 'no-known-good-release',
  'dry-run': 'other',
  paused: 'other',
  'rate-limit': 'other',
  group: 'other',
};

interface Context {
  target: ResolvedTarget;
  before: TargetState;
  after: TargetState;
  now: number;
}

export function notifyEventFor(kind: string, data: Record<string, unknown> | undefined, { target, before, after, now }: Context): NotifyEvent | undefined {
  const base = { target: target.name, environment: target.environment, at: now, ...((after.incident ?? before.incident) && { incidentId: (after.incident ?? before.incident)!.id }) };
  const rb = after.rollback ?? before.rollback;
  switch (kind) {
    case 'guard-started':
      if (!after.guard) return undefined;
      return { ...base, kind: 'deploy-guarded', severity: DEFAULT_SEVERITY['deploy-guarded'], release: after.guard.release, ...(typeof data?.user === 'string' && { user: data.user }) };
    case 'release-failed': {
      const plan = after.plan;
      if (!plan) return undefined;
      const lines = Array.isArray(data?.measurements) ? (data.measurements as { check: string; phase: string; detail: string }[]).filter((m) => m.phase !== 'successful').map((m) => `${m.check}: ${m.detail}`) : [];
      return { ...base, kind: 'release-failing', severity: DEFAULT_SEVERITY['release-failing'], release: plan.from, reason: plan.reason, measurements: lines };
    }
    case 'rollback-started':
      if (!after.rollback) return undefined;
      return {
        ...base,
        kind: 'rollback-started',
        severity: DEFAULT_SEVERITY['rollback-started'],
        from: after.rollback.from,
        to: after.rollback.to,
        reason: after.rollback.reason,
        trigger: after.rollback.trigger,
        ...(after.rollback.requestedBy && { actor: after.rollback.requestedBy }),
      };
    case 'rollback-verified':
      if (!rb) return undefined;
      return { ...base, kind: 'rollback-finished', severity: DEFAULT_SEVERITY['rollback-finished'], from: rb.from, to: rb.to, verified: true, durationMs: now - rb.decidedAt };
    case 'rollback-failed':
      return { ...base, kind: 'rollback-failed', severity: DEFAULT_SEVERITY['rollback-failed'], reason: after.reason ?? 'rollback failed', ...(rb && { from: rb.from, to: rb.to }) };
    case 'rollback-held': {
      if (!after.hold) return undefined;
      const canApprove = after.plan?.to !== undefined;
      return {
        ...base,
        kind: 'rollback-held',
        severity: after.hold.kind === 'dry-run' ? 'warning' : DEFAULT_SEVERITY['rollback-held'],
        cause: HOLD_CAUSE[after.hold.kind],
        reason: after.reason ?? after.hold.reason,
        ...(after.plan && { from: after.plan.from }),
        ...(after.plan?.to && { to: after.plan.to }),
        actions: [
          ...(canApprove ? [{ label: 'approve the rollback', command: `rollback-watchdog approve ${target.name}` }] : []),
          { label: 'veto it', command: `rollback-watchdog veto ${target.name}` },
          { label: 'roll back to a chosen release', command: `rollback-watchdog rollback ${target.name} --to VERSION` },
        ],
      };
    }
    case 'known-bad-image': {
      const version = typeof data?.version === 'number' ? data.version : undefined;
      const imageRef = typeof data?.imageRef === 'string' ? data.imageRef : undefined;
      if (version === undefined || imageRef === undefined) return undefined;
      return { ...base, kind: 'known-bad-image-redeployed', severity: DEFAULT_SEVERITY['known-bad-image-redeployed'], release: { version, imageRef } };
    }
    default:
      return undefined;
  }
}

/** Sent once an incident closes with more user-facing impact than the post-mortem threshold. */
export function postmortemEvent(incident: Incident, now: number): NotifyEvent {
  return {
    kind: 'postmortem-required',
    severity: DEFAULT_SEVERITY['postmortem-required'],
    target: incident.target,
    environment: incident.environment,
    at: now,
    incidentId: incident.id,
    impactMs: (incident.recoveredAt ?? incident.closedAt ?? now) - incident.impactStartedAt,
    reason: incident.reason,
  };
}
