/**
 * A post-mortem draft in Markdown, built from what the watchdog recorded, so the on-call engineer
 * starts from the facts rather than a blank page. The sections a human must write (root cause,
 * lessons) are marked as such; the follow-ups are the runbook's.
 */
import { formatDuration } from '../infra/duration.ts';
import type { JournalEntry } from '../domain/journal.ts';
import { impactMs, type Incident } from '../domain/incident.ts';

const iso = (ms: number) => new Date(ms).toISOString().replace('.000Z', 'Z');
const fence = (lines: readonly string[]) => ['```', ...lines, '```'];

export function renderPostmortem(incident: Incident, timeline: readonly JournalEntry[], now: number): string {
  const impact = impactMs(incident, now);
  const outcome = incident.outcome ?? 'still open';
  const out: string[] = [
    `# Post-mortem draft: ${incident.target} v${incident.version}`,
    '',
    `> Drafted by rollback-watchdog from incident \`${incident.id}\`. Facts below are as recorded; sections marked *(to write)* need a human.`,
    '',
    '## Summary',
    '',
    `Release v${incident.version} of \`${incident.target}\` (${incident.environment}) running \`${incident.imageRef}\` failed its guard: ${incident.reason}.`,
    `Outcome: **${outcome}**. User-facing impact: **${formatDuration(impact)}**${incident.postmortemRequired ? ' (over the post-mortem threshold)' : ''}.`,
    '',
    '## Impact',
    '',
    `- Started: ${iso(incident.impactStartedAt)} (first failed measurement)`,
    `- Ended: ${incident.recoveredAt !== undefined ? `${iso(incident.recoveredAt)} (rollback verified healthy)` : incident.closedAt !== undefined ? `${iso(incident.closedAt)} (${outcome}; not verified healthy)` : 'not yet'}`,
    `- Duration: ${formatDuration(impact)}`,
    '- Users affected: *(to write: which requests, regions or features failed)*',
    '',
    '## Timeline',
    '',
    '| time (UTC) | event | detail |',
    '|---|---|---|',
    ...timeline.map((e) => `| ${iso(e.at)} | ${e.kind} | ${e.message.replaceAll('|', '\\|')} |`),
    '',
    '## Evidence',
    '',
  ];
  if (incident.evidence.length === 0) out.push('No evidence was captured.', '');
  for (const ev of incident.evidence) {
    if (ev.kind === 'measurements') out.push(`### Failing measurements (${iso(ev.at)})`, '', ...fence(ev.lines), '');
    if (ev.kind === 'smoke-output') out.push(`### Smoke test \`${ev.check}\` output (${iso(ev.at)})`, '', ...fence(ev.text.split('\n')), '');
    if (ev.kind === 'fly-logs') out.push(`### \`fly logs --app … --no-tail\`, last ${ev.lines.length} lines (${iso(ev.at)})`, '', ...fence(ev.lines.length > 0 ? ev.lines : ['(no log lines returned)']), '');
    if (ev.kind === 'note') out.push(`- ${iso(ev.at)}: ${ev.text}`, '');
  }
  out.push(
    '## Root cause',
    '',
    '*(to write: what in the release caused the failure, and why tests and staging did not catch it)*',
    '',
    '## Follow-ups',
    '',
    '- [ ] Investigate the root cause',
    '- [ ] Write a fix with tests that would have caught it',
    '- [ ] Deploy the fix through the normal pipeline: staging → smoke tests → production',
    '- [ ] If a database migration shipped with the release, confirm its state (Drizzle has no down migrations)',
    '- [ ] Review whether the guard caught it fast enough (probe interval, thresholds, error-rate settings)',
    '',
  );
  return out.join('\n');
}
