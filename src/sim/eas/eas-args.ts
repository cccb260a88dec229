/**
 * An oclif-like parser for the two commands the fake eas knows: `--flag value`, `--flag=value`,
 * short aliases (`-m`, `-p`) and boolean flags. Errors use oclif's wording.
 */

export class EasUsageError extends Error {}

interface FlagSpec {
  type: 'string' | 'boolean';
  char?: string;
  exclusive?: string[];
}

const COMMON: Record<string, FlagSpec> = { json: { type: 'boolean' }, 'non-interactive': { type: 'boolean' } };

// Flags from eas-cli's commands/update/list.ts and commands/update/republish.ts.
export const COMMAND_FLAGS: Record<string, Record<string, FlagSpec>> = {
  'update:list': {
    branch: { type: 'string', exclusive: ['all'] },
    all: { type: 'boolean', exclusive: ['branch'] },
    limit: { type: 'string' },
    offset: { type: 'string' },
    ...COMMON,
  },
  'update:republish': {
    channel: { type: 'string', exclusive: ['branch', 'group'] },
    branch: { type: 'string', exclusive: ['channel', 'group'] },
    group: { type: 'string', exclusive: ['branch', 'channel'] },
    'destination-channel': { type: 'string', exclusive: ['destination-branch'] },
    'destination-branch': { type: 'string', exclusive: ['destination-channel'] },
    message: { type: 'string', char: 'm' },
    platform: { type: 'string', char: 'p' },
    'private-key-path': { type: 'string' },
    'rollout-percentage': { type: 'string' },
    ...COMMON,
  },
};

export interface EasArgs {
  command: string;
  flags: Record<string, string | boolean>;
}

/** Throws EasUsageError for an unknown command or flag, a missing value or exclusive flags. */
export function parseEasArgs(argv: readonly string[]): EasArgs {
  const [command, ...rest] = argv;
  const specs = command === undefined ? undefined : COMMAND_FLAGS[command];
  if (command === undefined || !specs) throw new EasUsageError(`command ${command ?? '(none)'} not found`);

  const flags: Record<string, string | boolean> = {};
  for (let i = 0; i < rest.length; i++) {
    const token = rest[i] ?? '';
    const [name, inline] = splitFlag(token, specs);
    const spec = name === undefined ? undefined : specs[name];
    if (name === undefined || !spec) throw new EasUsageError(`Nonexistent flag: ${token}\nSee more help with --help`);
    if (spec.type === 'boolean') {
      flags[name] = true;
      continue;
    }
    const value = inline ?? rest[++i];
    if (value === undefined) throw new EasUsageError(`Flag --${name} expects a value`);
    flags[name] = value;
  }
  for (const [name, spec] of Object.entries(specs)) {
    const clash = flags[name] !== undefined ? spec.exclusive?.find((other) => flags[other] !== undefined) : undefined;
    if (clash) throw new EasUsageError(`--${clash}=${String(flags[clash])} cannot also be provided when using --${name}`);
  }
  return { command, flags };
}

/** `--message=x` → ['message', 'x']; `--json` → ['json']; `-m` → ['message']; else [undefined]. */
function splitFlag(token: string, specs: Record<string, FlagSpec>): [string | undefined, string?] {
  if (token.startsWith('--')) {
    const eq = token.indexOf('=');
    return eq === -1 ? [token.slice(2)] : [token.slice(2, eq), token.slice(eq + 1)];
  }
  if (/^-[a-zA-Z]$/.test(token)) return [Object.keys(specs).find((name) => specs[name]?.char === token[1])];
  return [undefined];
}
