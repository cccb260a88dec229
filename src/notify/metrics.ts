/**
 * What the Notifier reports about deliveries. Labels are the channel's configured name and the
 * event kind, both bounded by config and code; never a URL, status text or error message.
 */
import type { EventKind } from '../domain/notification.ts';

/**
 * Why a message was not delivered: `permanent` (a 4xx other than 429: retrying cannot help),
 * `exhausted` (every retry failed), `dropped` (queue overflow, or still pending at shutdown).
 */
export type NotifyFailure = 'permanent' | 'exhausted' | 'dropped';

export interface NotifyMetrics {
  incDelivered(channel: string, kind: EventKind): void;
  incFailed(channel: string, kind: EventKind, reason: NotifyFailure): void;
  /** Messages not yet settled, all channels together (queued plus in flight). */
  observeQueueDepth(n: number): void;
}

export const noopNotifyMetrics: NotifyMetrics = {
  incDelivered() {},
  incFailed() {},
  observeQueueDepth() {},
};
