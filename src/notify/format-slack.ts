/**
 * Slack incoming-webhook payload in Block Kit: a header with a severity emoji, the summary, the
 * facts as fields, then measurements or operator commands. `text` is the fallback Slack shows in
 * notifications and clients without blocks. Limits: https://api.slack.com/reference/block-kit/blocks
 */
import type { NotifyEvent, Severity } from '../domain/notification.ts';
import { extraLines, fieldsOf, summarize, TITLES, truncate } from './summary.ts';

export const SEVERITY_EMOJI = {
  info: ':information_source:',
  warning: ':warning:',
  critical: ':rotating_light:',
} as const satisfies Record<Severity, string>;

const HEADER_MAX = 150;
const SECTION_MAX = 3000;
const FIELD_MAX = 2000;
const FIELDS_MAX = 10;

export interface SlackPayload {
  text: string;
  blocks: Array<Record<string, unknown>>;
}

/** mrkdwn treats these three as control characters; everything else is literal. */
export function escapeMrkdwn(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

const mrkdwn = (text: string, max: number) => ({ type: 'mrkdwn', text: truncate(text, max) });

export function formatSlack(e: NotifyEvent): SlackPayload {
  const emoji = SEVERITY_EMOJI[e.severity];
  const summary = summarize(e);
  const blocks: Array<Record<string, unknown>> = [
    {
      type: 'header',
      text: { type: 'plain_text', emoji: true, text: truncate(`${emoji} ${TITLES[e.kind]}: ${e.target} (${e.environment})`, HEADER_MAX) },
    },
    { type: 'section', text: mrkdwn(escapeMrkdwn(summary), SECTION_MAX) },
    {
      type: 'section',
      fields: fieldsOf(e)
        .slice(0, FIELDS_MAX)
        .map((f) => mrkdwn(`*${f.label}*\n${escapeMrkdwn(f.value)}`, FIELD_MAX)),
    },
  ];
  const extra = extraLines(e);
  if (extra.length > 0) {
    const heading = e.kind === 'rollback-held' ? '*What you can do*' : '*Failing checks*';
    const lines = extra.map((line) => `• \`${escapeMrkdwn(line)}\``);
    blocks.push({ type: 'section', text: mrkdwn(`${heading}\n${lines.join('\n')}`, SECTION_MAX) });
  }
  blocks.push({
    type: 'context',
    elements: [mrkdwn(`rollback-watchdog · ${e.kind} · ${new Date(e.at).toISOString()}`, FIELD_MAX)],
  });
  return { text: `${emoji} ${summary}`, blocks };
}
