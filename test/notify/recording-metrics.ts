import type { EventKind } from '../../src/domain/notification.ts';
import type { NotifyFailure, NotifyMetrics } from '../../src/notify/metrics.ts';

/** Records every call as a `channel/kind[/reason]` string, so tests can compare whole lists. */
export class RecordingMetrics implements NotifyMetrics {
  readonly delivered: string[] = [];
  readonly failed: string[] = [];
  readonly depths: number[] = [];

  incDelivered(channel: string, kind: EventKind): void {
    this.delivered.push(`${channel}/${kind}`);
  }

  incFailed(channel: string, kind: EventKind, reason: NotifyFailure): void {
    this.failed.push(`${channel}/${kind}/${reason}`);
  }

  observeQueueDepth(n: number): void {
    this.depths.push(n);
  }

  /** Every label value ever passed, for "no secret in a label" checks. */
  labels(): string {
    return [...this.delivered, ...this.failed].join('\n');
  }
}
