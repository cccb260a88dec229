/**
 * Config for notification channels, written like src/config/schema.ts: strict objects, durations
 * as strings parsed to ms, docs in `.describe()` so they reach the generated JSON Schema.
 * Webhook URLs, header values and routing keys are secrets: see collectNotifySecrets.
 */
import { z } from 'zod';
import { Duration } from '../infra/duration.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import { EVENT_KINDS, SEVERITIES, type EventKind } from '../domain/notification.ts';

/** Channel names are metric labels and log fields, so they are as constrained as target names. */
const ChannelName = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'use lowercase letters, digits, "-" or "_" (max 63)')
  .describe('Name used in logs and metrics; never the URL.');
const HttpUrl = z.url({ protocol: /^https?$/, error: 'Invalid URL' });
const EventKindList = z.array(z.enum(EVENT_KINDS)).min(1);
const MinSeverity = z.enum(SEVERITIES).default('info').describe('Drop events less severe than this.');

/** PagerDuty pages a human, so by default only for what needs one; rollback-finished resolves the page. */
export const PAGERDUTY_DEFAULT_EVENTS: readonly EventKind[] = [
  'rollback-failed',
  'rollback-held',
  'postmortem-required',
  // Not in the brief's list, but without it an incident the watchdog opened is never resolved by it.
  'rollback-finished',
];

export const SlackChannel = z.strictObject({
  name: ChannelName,
  type: z.literal('slack'),
  webhookUrl: HttpUrl.describe('Slack incoming-webhook URL. Secret: write ${SLACK_WEBHOOK_URL}.'),
  events: EventKindList.default([...EVENT_KINDS]).describe('Event kinds to send; all by default.'),
  minSeverity: MinSeverity,
});
export type SlackChannel = z.infer<typeof SlackChannel>;

export const WebhookChannel = z.strictObject({
  name: ChannelName,
  type: z.literal('webhook'),
  url: HttpUrl.describe('Receives a JSON POST per event. Secret (it often embeds a token).'),
  headers: z
    .record(z.string(), z.string())
    .default({})
    .describe('Extra request headers, e.g. Authorization. Values are secrets.'),
  events: EventKindList.default([...EVENT_KINDS]).describe('Event kinds to send; all by default.'),
  minSeverity: MinSeverity,
});
export type WebhookChannel = z.infer<typeof WebhookChannel>;

export const PagerDutyChannel = z.strictObject({
  name: ChannelName,
  type: z.literal('pagerduty'),
  routingKey: z.string().min(1).describe('Events API v2 integration key. Secret: write ${PAGERDUTY_ROUTING_KEY}.'),
  events: EventKindList.default([...PAGERDUTY_DEFAULT_EVENTS]).describe(
    'Event kinds to send; by default rollback-failed, rollback-held, postmortem-required and rollback-finished (which resolves).',
  ),
  minSeverity: MinSeverity,
  url: HttpUrl.default('https://events.pagerduty.com/v2/enqueue').describe('Events API endpoint (EU accounts use events.eu.pagerduty.com).'),
});
export type PagerDutyChannel = z.infer<typeof PagerDutyChannel>;

export const NotifyChannel = z.discriminatedUnion('type', [SlackChannel, WebhookChannel, PagerDutyChannel]);
export type NotifyChannel = z.infer<typeof NotifyChannel>;

export const NotifyRetry = z.strictObject({
  attempts: z.int().min(1).max(20).default(5).describe('Tries per message, the first included.'),
  initialDelay: Duration.prefault('1s').describe('Wait before the first retry; doubles after each.'),
  maxDelay: Duration.prefault('1m').describe('Cap on any wait, Retry-After included.'),
});
export type NotifyRetry = z.infer<typeof NotifyRetry>;

export const Notifications = z
  .strictObject({
    channels: z.array(NotifyChannel).default([]),
    retry: NotifyRetry.prefault({}),
    queueLimit: z
      .int()
      .min(1)
      .default(1000)
      .describe('Messages waiting per channel; when full the oldest is dropped (and counted).'),
  })
  .superRefine((config, ctx) => {
    const seen = new Set<string>();
    config.channels.forEach((channel, i) => {
      if (seen.has(channel.name)) {
        ctx.addIssue({ code: 'custom', path: ['channels', i, 'name'], message: `duplicate channel name "${channel.name}"` });
      }
      seen.add(channel.name);
    });
  });
export type Notifications = z.infer<typeof Notifications>;
export type NotificationsInput = z.input<typeof Notifications>;

/** Registers every secret a channel holds, so logs, metrics and errors mask it by value. */
export function collectNotifySecrets(config: Notifications, secrets: SecretRegistry): void {
  for (const channel of config.channels) {
    switch (channel.type) {
      case 'slack':
        secrets.add(channel.webhookUrl);
        // A Slack webhook's path is the credential; undici errors may print the path without the host.
        secrets.add(new URL(channel.webhookUrl).pathname);
        break;
      case 'webhook':
        secrets.add(channel.url);
        for (const part of tokenLikeParts(channel.url)) secrets.add(part);
        for (const value of Object.values(channel.headers)) secrets.add(value);
        break;
      case 'pagerduty':
        secrets.add(channel.routingKey);
        break;
    }
  }
}

/**
 * The parts of a generic URL that probably hold a credential: the query string, and path segments
 * long enough to be a token. Not the whole path: masking a plain `/api/v1` would shred unrelated logs.
 */
function tokenLikeParts(url: string): string[] {
  const { pathname, search } = new URL(url);
  const parts = pathname.split('/').filter((segment) => segment.length >= 16);
  if (search.length > 1) parts.push(search.slice(1));
  return parts;
}
