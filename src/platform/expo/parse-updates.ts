/**
 * Pure parsers for eas-cli's `--json` output (fly-facts §8; eas-cli `utils/json.ts` prints with a
 * 2-space indent and drops nulls and `__typename`). Either the whole document validates or we
 * throw WD_ERR_PLATFORM_OUTPUT_INVALID naming the field; callers never see partial data.
 * Unknown keys are ignored so a newer eas-cli that adds fields keeps working.
 */
import { z } from 'zod';
import { invalidOutput, parseJsonOutput } from '../fly/parse-output.ts';
import type { PublishedUpdate, UpdateGroup } from './types.ts';

const LIST = 'eas update:list --json';
const REPUBLISH = 'eas update:republish --json';

/** `update/utils.ts` getUpdateGroupDescriptionsWithBranch: one entry per group. */
export const EasUpdateGroupEntry = z.object({
  branch: z.string(),
  message: z.string(),
  runtimeVersion: z.string().min(1),
  group: z.string().min(1),
  // `formatPlatformForUpdateGroup`: sorted platforms joined with ", ", or "N/A".
  platforms: z.string(),
  // Always printed by current eas-cli (false survives the null-stripping); older ones lacked it.
  isRollBackToEmbedded: z.boolean().optional(),
});

/** `update/queries.ts` renderUpdateGroupsOnBranch: `{ ...branch, currentPage }`. */
export const EasUpdateList = z.object({
  name: z.string(),
  // 'N/A' when the branch has no updates yet.
  id: z.string(),
  currentPage: z.array(EasUpdateGroupEntry),
});

/**
 * `republish` prints the mutation's Update objects. Current eas-cli selects UpdateFragment
 * (branch is `{ id, name }`); older versions selected only id, group, runtimeVersion, platform and
 * manifestPermalink; the newest may report `runtime { version }`. Only what identifies the new
 * group is required.
 */
export const EasPublishedUpdate = z.object({
  id: z.string().min(1),
  group: z.string().min(1),
  platform: z.string().min(1),
  runtimeVersion: z.string().optional(),
  runtime: z.object({ version: z.string() }).optional(),
  branch: z.union([z.string(), z.object({ name: z.string() })]).optional(),
  message: z.string().optional(),
  createdAt: z.string().optional(),
});

// An empty array would mean "nothing was published" from a command that exited 0: not trustworthy.
export const EasRepublishOutput = z.array(EasPublishedUpdate).min(1);

/**
 * Parses `eas update:list --branch <branch> --json`, keeping EAS's order (newest first: the
 * output has no timestamp we could re-sort by). Throws if an entry belongs to another branch.
 */
export function parseUpdateList(stdout: string, branch: string): UpdateGroup[] {
  const list = parseJsonOutput(LIST, stdout, EasUpdateList);
  if (list.name !== branch) throw invalidOutput(LIST, `name: expected branch ${JSON.stringify(branch)}, got ${JSON.stringify(list.name)}`);
  return list.currentPage.map((entry, i) => {
    if (entry.branch !== branch) {
      throw invalidOutput(LIST, `currentPage[${i}].branch: expected ${JSON.stringify(branch)}, got ${JSON.stringify(entry.branch)}`);
    }
    const { message, createdAgo, createdBy } = parseGroupMessage(entry.message);
    return {
      group: entry.group,
      message,
      runtimeVersion: entry.runtimeVersion,
      platforms: parsePlatforms(entry.platforms),
      isRollBackToEmbedded: entry.isRollBackToEmbedded ?? false,
      ...(createdBy !== undefined ? { createdBy } : {}),
      ...(createdAgo !== undefined ? { createdAgo } : {}),
    };
  });
}

/** Parses `eas update:republish --json` into the updates it created. */
export function parseRepublishOutput(stdout: string): PublishedUpdate[] {
  return parseJsonOutput(REPUBLISH, stdout, EasRepublishOutput).map((u) => {
    const runtimeVersion = u.runtimeVersion ?? u.runtime?.version;
    const branch = typeof u.branch === 'string' ? u.branch : u.branch?.name;
    return {
      id: u.id,
      group: u.group,
      platform: u.platform,
      ...(runtimeVersion !== undefined ? { runtimeVersion } : {}),
      ...(branch !== undefined ? { branch } : {}),
      ...(u.message !== undefined ? { message: u.message } : {}),
      ...(u.createdAt !== undefined ? { createdAt: u.createdAt } : {}),
    };
  });
}

// `formatUpdateMessage`: `"<message>" (<timeago> by <actor>)`, the quoted part only when the
// update has a message. The message is greedy so quotes and parentheses inside it survive; the
// time is lazy because a timeago phrase never contains " by ", while an actor may contain
// parentheses (`ci-bot (robot)`).
const DECORATED_MESSAGE = /^(?:"([\s\S]*)" )?\((.+?) by (.+)\)$/;

/**
 * Splits EAS's decorated message. Text in another format (an older or newer eas-cli) is kept whole
 * as the message rather than rejected: it is for display, and nothing is decided on it.
 */
export function parseGroupMessage(text: string): { message: string; createdAgo?: string; createdBy?: string } {
  const match = DECORATED_MESSAGE.exec(text);
  if (!match) return { message: text };
  const [, message = '', createdAgo = '', createdBy = ''] = match;
  return { message, createdAgo, createdBy };
}

/** `"android, ios"` → `['android', 'ios']`; `"N/A"` (a group with no updates) → `[]`. */
export function parsePlatforms(text: string): string[] {
  if (text.trim() === 'N/A') return [];
  return text.split(',').map((p) => p.trim()).filter((p) => p !== '').sort();
}
