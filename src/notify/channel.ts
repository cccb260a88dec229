/**
 * Per-channel decisions, pure: does this channel want the event, and what HTTP request carries it.
 */
import type { SecretRegistry } from '../infra/secrets.ts';
import { severityRank, type NotifyEvent } from '../domain/notification.ts';
import { formatPagerDuty } from './format-pagerduty.ts';
import { formatSlack } from './format-slack.ts';
import { formatWebhook } from './format-webhook.ts';
import type { NotifyChannel } from '../config/notify-schema.ts';

/** A ready-to-send POST. `url` and `headers` hold secrets: never log them. */
export interface OutgoingRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export function accepts(channel: NotifyChannel, e: NotifyEvent): boolean {
  return channel.events.includes(e.kind) && severityRank(e.severity) >= severityRank(channel.minSeverity);
}

export function buildRequest(channel: NotifyChannel, e: NotifyEvent): OutgoingRequest {
  const json = { 'content-type': 'application/json', 'user-agent': 'rollback-watchdog' };
  switch (channel.type) {
    case 'slack':
      return { url: channel.webhookUrl, headers: json, body: JSON.stringify(formatSlack(e)) };
    case 'webhook':
      // Config headers win, so a receiver that wants another content type can have it.
      return { url: channel.url, headers: { ...json, ...channel.headers }, body: JSON.stringify(formatWebhook(e)) };
    case 'pagerduty':
      return { url: channel.url, headers: json, body: JSON.stringify(formatPagerDuty(e, channel.routingKey)) };
  }
}

/**
 * The event with every string masked. Reasons can quote flyctl stderr, which can echo a token;
 * masking before formatting (not the body after) keeps the PagerDuty routing key intact.
 */
export function maskEvent<T>(value: T, secrets: SecretRegistry): T {
  if (typeof value === 'string') return secrets.mask(value) as T;
  if (Array.isArray(value)) return value.map((v: unknown) => maskEvent(v, secrets)) as T;
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, maskEvent(v, secrets)])) as T;
  }
  return value;
}
