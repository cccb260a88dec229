/** Which decisions move which metrics. Every kind is listed, so a new one has to be placed here. */
import { exhaustive, type Decision } from '../../domain/decision.ts';
import type { TargetState } from '../../domain/target-state.ts';
import type { TargetLabels, WatchdogMetrics } from '../../metrics/recorder.ts';

export interface DecisionContext {
  metrics: WatchdogMetrics;
  labels: TargetLabels;
  before: TargetState;
  after: TargetState;
  now: number;
}

export function countDecision(d: Decision, { metrics, labels, before, after, now }: DecisionContext): void {
  switch (d.kind) {
    case 'guard-passed':
      return metrics.incGuardFinished(labels, d.verdict);
    case 'release-failed':
      return metrics.incGuardFinished(labels, 'bad');
    case 'guard-unproven':
      return metrics.incGuardFinished(labels, 'unproven');
    case 'guard-superseded':
    case 'guard-aborted':
      return metrics.incGuardFinished(labels, 'unknown');
    case 'rollback-started': {
      metrics.incRollback(labels, d.trigger, 'started');
      // The incident, when one is open, dates the first failed measurement.
      const incident = after.incident?.open ? after.incident : undefined;
      if (incident?.impactStartedAt !== undefined) metrics.observeFaultToRollbackSeconds(labels, (now - incident.impactStartedAt) / 1000);
      return;
    }
    case 'rollback-held':
      return metrics.incRollback(labels, 'automatic', 'held');
    case 'rollback-failed':
      return metrics.incRollback(labels, (after.rollback ?? before.rollback)?.trigger ?? 'automatic', 'failed');
    case 'rollback-verified': {
      metrics.incRollback(labels, d.trigger, 'verified');
      const decidedAt = before.rollback?.decidedAt;
      if (decidedAt !== undefined) metrics.observeRollbackSeconds(labels, (now - decidedAt) / 1000);
      return;
    }
    case 'group-rollback-refused':
      return metrics.incRollback(labels, 'automatic', 'held');
    case 'guard-started':
    case 'release-not-live':
    case 'rollback-deploy-detached':
    case 'insufficient-evidence':
    case 'hold-superseded':
    case 'rollback-superseded':
    case 'known-bad-image':
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
      return;
  }
  exhaustive(d);
}
