/**
 * Words shared by every channel: a one-line summary (Slack fallback text, webhook `text`, PagerDuty
 * summary), a title per kind and labelled fields. Pure; formatters add only their channel's syntax.
 */
import { formatDuration } from '../infra/duration.ts';
import type { EventKind, NotifyEvent, ReleaseRef } from '../domain/notification.ts';

export const TITLES = {
  'deploy-guarded': 'Deploy guarded',
  'release-failing': 'Release failing',
  'rollback-started': 'Rollback started',
  'rollback-finished': 'Rollback finished',
  'rollback-failed': 'Rollback FAILED',
  'rollback-held': 'Rollback held',
  'postmortem-required': 'Postmortem required',
  'known-bad-image-redeployed': 'Known-bad image redeployed',
  'release-unproven': 'Release unproven',
} as const satisfies Record<EventKind, string>;

const HOLD_CAUSES = {
  'needs-approval': 'needs approval',
  'migration-boundary': 'migration boundary',
  'no-known-good-release': 'no known-good release',
  other: 'held',
} as const;

export function releaseLabel(r: ReleaseRef): string {
  return `v${r.version} (${r.imageRef})`;
}

function versions(from: ReleaseRef | undefined, to: ReleaseRef | undefined): string | undefined {
  if (from && to) return `v${from.version} → v${to.version}`;
  if (from) return `v${from.version}`;
  return undefined;
}

/** One line a human can act on, without secrets beyond what the event itself holds. */
export function summarize(e: NotifyEvent): string {
  const where = `${e.target} (${e.environment})`;
  switch (e.kind) {
    case 'deploy-guarded':
      return `Guarding ${where} v${e.release.version}${e.user ? ` deployed by ${e.user}` : ''}`;
    case 'release-failing':
      return `${where} v${e.release.version} is failing: ${e.reason}`;
    case 'rollback-started':
      return `Rolling back ${where} v${e.from.version} → v${e.to.version} (${e.trigger}${e.actor ? ` by ${e.actor}` : ''}): ${e.reason}`;
    case 'rollback-finished':
      return e.verified
        ? `Rolled back ${where} v${e.from.version} → v${e.to.version}, verified healthy in ${formatDuration(e.durationMs)}`
        : `Rolled back ${where} v${e.from.version} → v${e.to.version} but NOT verified healthy after ${formatDuration(e.durationMs)}`;
    case 'rollback-failed':
      return `ROLLBACK FAILED for ${where}${e.from ? ` v${e.from.version}` : ''}: ${e.reason}`;
    case 'rollback-held':
      return `Rollback of ${where} held (${HOLD_CAUSES[e.cause]}): ${e.reason}`;
    case 'postmortem-required':
      return `Postmortem required for ${where}, incident ${e.incidentId}: ${formatDuration(e.impactMs)} of impact`;
    case 'known-bad-image-redeployed':
      return `${where} v${e.release.version} redeploys a known-bad image ${e.release.imageRef}${e.user ? ` (by ${e.user})` : ''}`;
    case 'release-unproven':
      return `${where} v${e.release.version} ended its guard unproven (${e.reason}): not a rollback target unless marked good`;
  }
}

export interface Field {
  label: string;
  value: string;
}

/** Labelled facts for channels with a field layout (Slack). Empty values are left out. */
export function fieldsOf(e: NotifyEvent): Field[] {
  const fields: Array<[string, string | undefined]> = [
    ['Target', e.target],
    ['Environment', e.environment],
  ];
  switch (e.kind) {
    case 'deploy-guarded':
    case 'known-bad-image-redeployed':
      fields.push(['Release', releaseLabel(e.release)], ['Deployed by', e.user]);
      if (e.kind === 'known-bad-image-redeployed') fields.push(['Judged bad because', e.previousReason]);
      break;
    case 'release-failing':
      fields.push(['Release', releaseLabel(e.release)], ['Reason', e.reason]);
      break;
    case 'rollback-started':
      fields.push(['Versions', versions(e.from, e.to)], ['Trigger', e.actor ? `${e.trigger} (${e.actor})` : e.trigger]);
      fields.push(['To image', e.to.imageRef], ['Reason', e.reason]);
      break;
    case 'rollback-finished':
      fields.push(['Versions', versions(e.from, e.to)], ['Verified', e.verified ? 'yes' : 'NO']);
      fields.push(['Duration', formatDuration(e.durationMs)], ['Running image', e.to.imageRef]);
      break;
    case 'rollback-failed':
      fields.push(['Versions', versions(e.from, e.to)], ['Reason', e.reason]);
      break;
    case 'rollback-held':
      fields.push(['Versions', versions(e.from, e.to)], ['Held because', HOLD_CAUSES[e.cause]], ['Reason', e.reason]);
      break;
    case 'postmortem-required':
      fields.push(['Impact', formatDuration(e.impactMs)], ['Reason', e.reason]);
      break;
    case 'release-unproven':
      fields.push(['Release', releaseLabel(e.release)], ['Missing', e.reason]);
      break;
  }
  if (e.incidentId) fields.push(['Incident', e.incidentId]);
  return fields.filter((f): f is [string, string] => Boolean(f[1])).map(([label, value]) => ({ label, value }));
}

/** Lines that do not fit a field: failing measurements and operator commands. */
export function extraLines(e: NotifyEvent): string[] {
  if (e.kind === 'release-failing') return e.measurements;
  if (e.kind === 'rollback-held') return e.actions.map((a) => `${a.label}: ${a.command}`);
  return [];
}

/** Cuts `text` to `max` characters, marking the cut, for APIs with hard length limits. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
