/**
 * prom-client implementation of NotifyMetrics. It registers on the Registry it is given (the
 * daemon passes PromMetrics' own, so /metrics serves one page), never on the global one.
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { EventKind } from '../domain/notification.ts';
import type { NotifyFailure, NotifyMetrics } from './metrics.ts';

export class PromNotifyMetrics implements NotifyMetrics {
  readonly #delivered: Counter<'channel' | 'kind'>;
  readonly #failed: Counter<'channel' | 'kind' | 'reason'>;
  readonly #depth: Gauge;

  constructor(registry: Registry) {
    const registers = [registry];
    this.#delivered = new Counter({
      name: 'rollback_watchdog_notifications_delivered_total',
      help: 'Notifications accepted by the receiver (2xx), by channel and event kind.',
      labelNames: ['channel', 'kind'],
      registers,
    });
    this.#failed = new Counter({
      name: 'rollback_watchdog_notifications_failed_total',
      help: 'Notifications not delivered, by reason: permanent (4xx), exhausted (retries used up), dropped (queue full or shutdown).',
      labelNames: ['channel', 'kind', 'reason'],
      registers,
    });
    this.#depth = new Gauge({
      name: 'rollback_watchdog_notification_queue_depth',
      help: 'Notifications queued or in flight, all channels together.',
      registers,
    });
  }

  incDelivered(channel: string, kind: EventKind): void {
    this.#delivered.inc({ channel, kind });
  }

  incFailed(channel: string, kind: EventKind, reason: NotifyFailure): void {
    this.#failed.inc({ channel, kind, reason });
  }

  observeQueueDepth(n: number): void {
    this.#depth.set(n);
  }
}
