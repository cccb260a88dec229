/** Which recorded decisions move which metrics. */
import type { TargetLabels, WatchdogMetrics } from '../metrics/recorder.ts';
import type { TargetState } from '../domain/target-state.ts';

export interface DecisionContext {
  metrics: WatchdogMetrics;
  labels: TargetLabels;
  before: TargetState;
  after: TargetState;
  now: number;
  /** First failed measurement of the release being rolled back, when this process saw it. */
  faultOnset: number | undefined;
}

export function countDecision(kind: string, { metrics, labels, before, after, now, faultOnset }: DecisionContext): void {
  const trigger = after.rollback?.trigger ?? before.rollback?.trigger ?? 'automatic';
  switch (kind) {
    case 'guard-passed':
      return metrics.incGuardFinished(labels, 'good');
    case 'release-failed':
      return metrics.incGuardFinished(labels, 'bad');
    case 'guard-superseded':
      return metrics.incGuardFinished(labels, 'unknown');
    case 'rollback-started':
      metrics.incRollback(labels, trigger, 'started');
      if (faultOnset !== undefined) metrics.observeFaultToRollbackSeconds(labels, (now - faultOnset) / 1000);
      return;
    case 'rollback-held':
      return metrics.incRollback(labels, 'automatic', 'held');
    case 'rollback-failed':
      return metrics.incRollback(labels, trigger, 'failed');
    case 'rollback-verified': {
      metrics.incRollback(labels, trigger, 'verified');
      const decidedAt = before.rollback?.decidedAt;
      if (decidedAt !== undefined) metrics.observeRollbackSeconds(labels, (now - decidedAt) / 1000);
      return;
    }
  }
}
