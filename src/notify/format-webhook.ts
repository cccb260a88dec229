/**
 * Generic JSON webhook body: the event as the engine emitted it, plus a one-line `text` for chat
 * bridges that only read that. Receivers switch on `event.kind`.
 */
import type { NotifyEvent } from '../domain/notification.ts';
import { summarize } from './summary.ts';

/**
 * Bumped only on a breaking change to this body (a field removed, renamed or retyped); new
 * optional fields and new event kinds do not bump it, so receivers must ignore unknown kinds.
 */
export const WEBHOOK_SCHEMA_VERSION = 1;

export interface WebhookPayload {
  source: 'rollback-watchdog';
  schemaVersion: typeof WEBHOOK_SCHEMA_VERSION;
  /** The event time as ISO 8601; `event.at` has the same instant in epoch ms. */
  time: string;
  text: string;
  event: NotifyEvent;
}

export function formatWebhook(e: NotifyEvent): WebhookPayload {
  return {
    source: 'rollback-watchdog',
    schemaVersion: WEBHOOK_SCHEMA_VERSION,
    time: new Date(e.at).toISOString(),
    text: summarize(e),
    event: e,
  };
}
