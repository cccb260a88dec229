/**
 * `update:list` and `update:republish` against the state file, following eas-cli's
 * commands/update/{list,republish}.ts and update/republish.ts: the same checks in the same order,
 * the same error sentences, logs on stderr, and with `--json` nothing but the JSON on stdout.
 */
import { randomUUID } from 'node:crypto';
import { completeGroup, groupsNewestFirst, branchExists, SimPlatform, simNow, type SimGroup, type SimState } from './eas-state.ts';
import { decoratedMessage, formatJson, listDocument, listEntry, updateFragment } from './eas-output.ts';

/** A failure eas-cli reports as `<message>` then `Error: <command> command failed.` (exit 1). */
export class EasCommandFailure extends Error {}

export interface CommandContext {
  state: SimState;
  flags: Record<string, string | boolean>;
  nonInteractive: boolean;
  out: (text: string) => void;
  /** eas's Log: stderr when --json is set (enableJsonOutput), else stdout. */
  log: (text: string) => void;
}

const MAX_LIMIT = 50;
const DEFAULT_LIMIT = 25;
const MAX_MESSAGE = 1024;

export function runList(ctx: CommandContext): number {
  const { flags, state } = ctx;
  const limit = parseLimit(flags.limit);
  const offset = flags.offset === undefined ? 0 : Number(flags.offset);
  const now = simNow(state);
  if (flags.all === true) {
    const page = groupsNewestFirst(state).slice(offset, offset + limit);
    if (flags.json === true) ctx.out(formatJson({ currentPage: page.map((g) => listEntry(g, now)) }));
    else ctx.log(humanList(page, now));
    return 0;
  }
  const branch = typeof flags.branch === 'string' ? flags.branch : undefined;
  if (branch === undefined) throw new EasCommandFailure('Branch name may not be empty.');
  if (!branchExists(state, branch)) throw new EasCommandFailure(`Could not find branch "${branch}"`);
  const page = groupsNewestFirst(state, branch).slice(offset, offset + limit);
  if (flags.json === true) ctx.out(formatJson(listDocument(branch, page, now)));
  else ctx.log(`Branch:\nName  ${branch}\n\nRecent update groups:\n\n${humanList(page, now)}`);
  return 0;
}

/** Creates a new group on the target branch with the source group's manifests; prints its updates. */
export function runRepublish(ctx: CommandContext): number {
  const { flags, state } = ctx;
  const groupId = typeof flags.group === 'string' ? flags.group : undefined;
  if (ctx.nonInteractive && groupId === undefined) throw new EasCommandFailure('Only --group can be used in non-interactive mode');
  if (groupId === undefined) throw new EasCommandFailure('The fake eas cannot prompt: pass --group');
  const platform = typeof flags.platform === 'string' ? flags.platform : 'all';
  if (!['android', 'ios', 'all'].includes(platform)) throw new EasCommandFailure(`Expected --platform=${platform} to be one of: android, ios, all`);

  const source = state.groups.find((g) => g.group === groupId);
  if (!source) throw new EasCommandFailure(`Could not find any updates with group ID: "${groupId}"`);
  const platforms = source.platforms.filter((p) => platform === 'all' || p === platform);
  if (platforms.length === 0) {
    throw new EasCommandFailure(`There are no updates on branch "${source.branch}" published for the platform(s) "${platform}" with group ID "${groupId}". Did you mean to publish a new update instead?`);
  }
  ctx.log(platform === 'all'
    ? `✔ The republished update group will appear on the same platforms it was originally published on: ${platforms.join(', ')}\n`
    : `✔ The republished update group will appear only on: ${platform}\n`);

  if (flags['destination-channel'] !== undefined) throw new EasCommandFailure('The fake eas does not simulate --destination-channel');
  const target = typeof flags['destination-branch'] === 'string' ? flags['destination-branch'] : source.branch;
  if (!branchExists(state, target)) throw new EasCommandFailure(`Could not find branch "${target}"`);

  let message = typeof flags.message === 'string' && flags.message !== '' ? flags.message : undefined;
  if (message === undefined) throw new EasCommandFailure('Must supply --message when in non-interactive mode');
  if (message.length > MAX_MESSAGE) {
    ctx.log('Update message exceeds the allowed 1024 character limit, truncated update message.\n');
    message = `${message.slice(0, MAX_MESSAGE - 3)}...`;
  }

  ctx.log('- Republishing...\n');
  const created = completeGroup({
    ...source,
    group: randomUUID(),
    branch: target,
    message,
    platforms: [...platforms],
    createdAt: simNow(state).toISOString(),
    actor: state.actor,
    updateIds: {},
    republishedFrom: source.group,
  });
  state.groups.push(created);
  ctx.log('✔ Republished update group\n');

  const updates = created.platforms.map((p) => updateFragment(created, SimPlatform.parse(p)));
  if (flags.json === true) ctx.out(formatJson(updates));
  else ctx.log(`Branch             ${target}\nRuntime version    ${created.runtimeVersion}\nPlatform           ${created.platforms.join(', ')}\nUpdate group ID    ${created.group}\nMessage            ${message}\n`);
  return 0;
}

function parseLimit(value: string | boolean | undefined): number {
  if (value === undefined) return DEFAULT_LIMIT;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1 || n > MAX_LIMIT) throw new EasCommandFailure(`--limit must be between 1 and ${MAX_LIMIT}`);
  return n;
}

function humanList(groups: SimGroup[], now: Date): string {
  return `${groups.map((g) => [
    `Platforms        ${[...g.platforms].sort().join(', ')}`,
    `Runtime Version  ${g.runtimeVersion}`,
    `Message          ${decoratedMessage(g, now)}`,
    `Group ID         ${g.group}`,
  ].join('\n')).join('\n\n———\n\n')}\n`;
}
