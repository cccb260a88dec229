/**
 * eas-cli's output formats, reproduced from its source: `utils/json.ts` (printJsonOnlyOutput),
 * `update/utils.ts` (formatUpdateMessage, formatPlatformForUpdateGroup,
 * getUpdateGroupDescriptionsWithBranch), the UpdateFragment GraphQL selection that
 * `update:republish --json` prints, and @expo/timeago.js's en_US phrases.
 */
import { branchId, stableId, type SimGroup, type SimPlatform } from './eas-state.ts';

/** printJsonOnlyOutput: 2-space indent, with nulls and `__typename` dropped at every depth. */
export function formatJson(value: unknown): string {
  return `${JSON.stringify(sanitize(value), null, 2)}\n`;
}

function sanitize(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sanitize);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, v] of Object.entries(value)) if (key !== '__typename' && v !== null) out[key] = sanitize(v);
    return out;
  }
  return value;
}

/** truncateString in update/utils.ts: list messages are cut at 512 characters. */
function truncateMessage(message: string, length = 512): string {
  return message.length > length ? `${message.slice(0, length - 3)}...` : message;
}

/** formatUpdateMessage: `"<message>" (<timeago> by <actor>)`, the quoted part only if present. */
export function decoratedMessage(group: SimGroup, now: Date): string {
  const message = group.message ? `"${truncateMessage(group.message)}" ` : '';
  return `${message}(${timeAgo(new Date(group.createdAt), now)} by ${group.actor})`;
}

/** One `currentPage` entry of `update:list --json`, keys in eas-cli's order. */
export function listEntry(group: SimGroup, now: Date): Record<string, unknown> {
  return {
    branch: group.branch,
    message: decoratedMessage(group, now),
    runtimeVersion: group.runtimeVersion,
    isRollBackToEmbedded: group.isRollBackToEmbedded,
    // Undefined values vanish in JSON.stringify, as in eas-cli.
    rolloutPercentage: undefined,
    codeSigningKey: undefined,
    group: group.group,
    platforms: [...group.platforms].sort().join(', '),
  };
}

/** `update:list --branch B --json`: `{ name, id, currentPage }`; id is 'N/A' for an empty branch. */
export function listDocument(branch: string, groups: SimGroup[], now: Date): Record<string, unknown> {
  return { name: branch, id: groups.length > 0 ? branchId(branch) : 'N/A', currentPage: groups.map((g) => listEntry(g, now)) };
}

/** UpdateFragment of one platform's update, as the publish mutation returns it (before sanitize). */
export function updateFragment(group: SimGroup, platform: SimPlatform): Record<string, unknown> {
  const [robotName] = /^(.*) \(robot\)$/.exec(group.actor)?.slice(1) ?? [];
  return {
    id: group.updateIds[platform],
    group: group.group,
    message: group.message ?? null,
    createdAt: group.createdAt,
    runtimeVersion: group.runtimeVersion,
    platform,
    manifestFragment: group.manifestFragment ?? null,
    isRollBackToEmbedded: group.isRollBackToEmbedded,
    manifestPermalink: `https://u.expo.dev/update/${group.updateIds[platform]}`,
    gitCommitHash: group.gitCommitHash ?? null,
    actor: robotName !== undefined
      ? { __typename: 'Robot', id: stableId(`actor:${group.actor}`), firstName: robotName }
      : { __typename: 'User', id: stableId(`actor:${group.actor}`), username: group.actor },
    branch: { __typename: 'UpdateBranch', id: branchId(group.branch), name: group.branch },
    codeSigningInfo: null,
    rolloutPercentage: null,
    rolloutControlUpdate: null,
    fingerprint: null,
    __typename: 'Update',
  };
}

// @expo/timeago.js: seconds per unit step (minute, hour, day, week, month, year).
const STEPS = [60, 60, 24, 7, 365 / 7 / 12, 12];
const UNITS = ['second', 'minute', 'hour', 'day', 'week', 'month', 'year'];

/** `just now`, `45 seconds ago`, `1 hour ago`, `3 weeks ago`… (timeago.js en_US). */
export function timeAgo(then: Date, now: Date): string {
  let diff = Math.max(0, (now.getTime() - then.getTime()) / 1000);
  let unit = 0;
  for (; unit < STEPS.length && diff >= (STEPS[unit] ?? Infinity); unit++) diff /= STEPS[unit] ?? 1;
  const n = Math.floor(diff);
  if (unit === 0 && n < 10) return 'just now';
  return n === 1 ? `1 ${UNITS[unit]} ago` : `${n} ${UNITS[unit]}s ago`;
}
