/**
 * Which decisions people hear about, and what they are told: a pure mapping from a decision (and
 * the state around it) to a notification. Every kind is listed; those people need not hear about
 * stay in the journal and the log.
 */
import { exhaustive, type Decision } from '../../domain/decision.ts';
import { DEFAULT_SEVERITY, type HoldCause, type NotifyEvent, type OperatorAction } from '../../domain/notification.ts';
import type { HoldKind } from '../../domain/policy.ts';
import type { TargetState } from '../../domain/target-state.ts';
import type { StepContext } from './context.ts';

const HOLD_CAUSE: Record<HoldKind, HoldCause> = {
  approval: 'needs-approval',
  migration: 'migration-boundary',
  'no-known-good': 'no-known-good-release',
  'dry-run': 'other',
  paused: 'other',
  'rate-limit': 'other',
  group: 'other',
  'config-change': 'other',
  'evidence-conflict': 'other',
};

export function notificationFor(d: Decision, before: TargetState, after: TargetState, ctx: Pick<StepContext, 'target' | 'now'>): NotifyEvent | undefined {
  const incident = after.incident ?? before.incident;
  const base = { target: ctx.target.name, environment: ctx.target.environment, at: ctx.now, ...(incident && { incidentId: incident.id }) };
  const name = ctx.target.name;
  switch (d.kind) {
    case 'guard-started':
      return { ...base, kind: 'deploy-guarded', severity: DEFAULT_SEVERITY['deploy-guarded'], release: { version: d.version, imageRef: d.imageRef }, ...(d.user && { user: d.user }) };
    case 'release-failed':
      return {
        ...base,
        kind: 'release-failing',
        severity: DEFAULT_SEVERITY['release-failing'],
        release: { version: d.version, imageRef: d.imageRef },
        reason: d.reason,
        measurements: d.measurements.filter((m) => m.phase !== 'successful').map((m) => `${m.check}: ${m.detail}`),
      };
    case 'rollback-started':
      return {
        ...base,
        kind: 'rollback-started',
        severity: DEFAULT_SEVERITY['rollback-started'],
        from: d.from,
        to: d.to,
        reason: after.rollback?.reason ?? after.reason ?? '',
        trigger: d.trigger,
        ...(d.requestedBy && { actor: d.requestedBy }),
      };
    case 'rollback-verified': {
      const decidedAt = after.rollback?.decidedAt ?? before.rollback?.decidedAt ?? ctx.now;
      return { ...base, kind: 'rollback-finished', severity: DEFAULT_SEVERITY['rollback-finished'], from: d.from, to: d.to, verified: true, durationMs: ctx.now - decidedAt };
    }
    case 'rollback-failed':
      return { ...base, kind: 'rollback-failed', severity: DEFAULT_SEVERITY['rollback-failed'], reason: d.reason, from: d.from, to: d.to };
    case 'rollback-held':
      return {
        ...base,
        kind: 'rollback-held',
        severity: d.hold === 'dry-run' ? 'warning' : DEFAULT_SEVERITY['rollback-held'],
        cause: HOLD_CAUSE[d.hold],
        reason: d.reason,
        from: d.from,
        ...(d.to && { to: d.to }),
        actions: d.hold === 'config-change' ? configChangeActions(name, ctx.target.app) : holdActions(name, d.to !== null),
      };
    case 'group-rollback-refused':
      return {
        ...base,
        kind: 'rollback-held',
        severity: DEFAULT_SEVERITY['rollback-held'],
        cause: 'other',
        reason: `group ${d.group} will not roll back: ${d.reason}`,
        ...(after.plan && { from: after.plan.from }),
        ...(after.plan?.to && { to: after.plan.to }),
        actions: holdActions(name, after.plan?.to !== undefined),
      };
    case 'guard-unproven':
      // An operator who vouched for the release during its guard needs no call to do so.
      if (d.operatorVerdict?.verdict === 'good') return undefined;
      return { ...base, kind: 'release-unproven', severity: DEFAULT_SEVERITY['release-unproven'], release: { version: d.version, imageRef: after.current?.version === d.version ? after.current.imageRef : (before.guard?.release.imageRef ?? '') }, reason: d.reason };
    case 'known-bad-image':
      return {
        ...base,
        kind: 'known-bad-image-redeployed',
        severity: DEFAULT_SEVERITY['known-bad-image-redeployed'],
        release: { version: d.version, imageRef: d.imageRef },
        previousReason: d.why,
      };
    case 'release-not-live':
    case 'rollback-deploy-detached':
    case 'insufficient-evidence':
    case 'guard-passed':
    case 'guard-superseded':
    case 'guard-aborted':
    case 'hold-superseded':
    case 'rollback-superseded':
    case 'group-rollback-requested':
    case 'group-rollback-planned':
    case 'group-rollback-ended':
    case 'rollback-approved':
    case 'rollback-vetoed':
    case 'rollback-deploy-retry':
    case 'rollback-reissued':
    case 'rollback-deployed':
    case 'rollback-recovered':
    case 'rollback-release-seen':
    case 'marked-good':
    case 'marked-bad':
      return undefined;
  }
  return exhaustive(d);
}

function configChangeActions(target: string, app: string): OperatorAction[] {
  return [
    { label: 'see what changed', command: `fly releases --app ${app}` },
    { label: 'check the secrets', command: `fly secrets list --app ${app}` },
    { label: 'veto the hold once fixed', command: `rollback-watchdog veto ${target}` },
  ];
}

function holdActions(target: string, canApprove: boolean): OperatorAction[] {
  return [
    ...(canApprove ? [{ label: 'approve the rollback', command: `rollback-watchdog approve ${target}` }] : []),
    { label: 'veto it', command: `rollback-watchdog veto ${target}` },
    { label: 'roll back to a chosen release', command: `rollback-watchdog rollback ${target} --to VERSION` },
  ];
}
