/**
 * Command-line parsing as flyctl's cobra/pflag does it, for the commands the fake fly knows.
 * Flags may come before or after the command words; `--flag=v`, `--flag v`, `-a v`, `-av` and
 * bundled bool shorthands (`-yj`) all work; errors carry cobra's wording (`unknown flag: --x`).
 */
import { parseGoDuration } from './go-duration.ts';

export type CommandId = 'releases' | 'deploy' | 'status' | 'logs' | 'machine-list' | 'secrets-set' | 'secrets-unset' | 'secrets-deploy' | 'version';

type FlagType = 'bool' | 'string' | 'duration';
interface FlagSpec {
  name: string;
  short?: string;
  type: FlagType;
}

interface CommandSpec {
  id: CommandId;
  paths: string[][];
  flags: FlagSpec[];
  maxArgs: number;
  /** cobra.MinimumNArgs. */
  minArgs?: number;
}

const flag = (name: string, type: FlagType, short?: string): FlagSpec => ({ name, type, ...(short ? { short } : {}) });
const APP_FLAGS = [flag('app', 'string', 'a'), flag('config', 'string', 'c')];
const JSON_FLAG = flag('json', 'bool', 'j');
const GLOBAL_FLAGS = [flag('access-token', 'string', 't'), flag('verbose', 'bool'), flag('debug', 'bool'), flag('help', 'bool', 'h')];

const COMMANDS: CommandSpec[] = [
  { id: 'releases', paths: [['releases'], ['apps', 'releases']], flags: [...APP_FLAGS, JSON_FLAG, flag('image', 'bool')], maxArgs: 0 },
  {
    id: 'deploy',
    paths: [['deploy']],
    flags: [
      ...APP_FLAGS,
      flag('image', 'string', 'i'), flag('yes', 'bool', 'y'), flag('now', 'bool'), flag('detach', 'bool'),
      flag('strategy', 'string'), flag('wait-timeout', 'duration'), flag('release-command-timeout', 'duration'),
      flag('max-unavailable', 'string'), flag('skip-release-command', 'bool'), flag('image-label', 'string'),
      flag('remote-only', 'bool'), flag('local-only', 'bool'), flag('ha', 'bool'), flag('update-only', 'bool'),
    ],
    // `fly deploy [WORKING_DIRECTORY]` (command.ChangeWorkingDirectoryToFirstArgIfPresent).
    maxArgs: 1,
  },
  // flyctl internal/command/secrets/: set/unset take sharedFlags, deploy the same without --stage.
  ...(['set', 'unset', 'deploy'] as const).map((word): CommandSpec => ({
    id: `secrets-${word}`,
    paths: [['secrets', word]],
    flags: [...APP_FLAGS, flag('detach', 'bool'), flag('dns-checks', 'bool'), ...(word === 'deploy' ? [] : [flag('stage', 'bool')])],
    maxArgs: word === 'deploy' ? 0 : Number.POSITIVE_INFINITY,
    ...(word === 'deploy' ? {} : { minArgs: 1 }),
  })),
  { id: 'status', paths: [['status'], ['apps', 'status']], flags: [...APP_FLAGS, JSON_FLAG, flag('all', 'bool')], maxArgs: 0 },
  {
    id: 'logs',
    paths: [['logs']],
    flags: [...APP_FLAGS, JSON_FLAG, flag('no-tail', 'bool', 'n'), flag('region', 'string', 'r'), flag('machine', 'string'), flag('instance', 'string', 'i')],
    maxArgs: 0,
  },
  {
    id: 'machine-list',
    paths: ['machine', 'machines', 'm'].flatMap((word) => [[word, 'list'], [word, 'ls']]),
    flags: [...APP_FLAGS, JSON_FLAG, flag('quiet', 'bool', 'q')],
    maxArgs: 0,
  },
  { id: 'version', paths: [['version']], flags: [JSON_FLAG], maxArgs: 0 },
];

export class FlyUsageError extends Error {
  override readonly name = 'FlyUsageError';
}

export interface ParsedArgs {
  /** undefined when no command word was given (flyctl prints help). */
  command: CommandId | undefined;
  flags: Record<string, string | boolean>;
  args: string[];
}

/** Word-level split that skips flag values, to find the command before its flags are known. */
function positionalWords(argv: readonly string[]): string[] {
  const valueFlags = new Set(
    [...GLOBAL_FLAGS, ...COMMANDS.flatMap((c) => c.flags)].filter((f) => f.type !== 'bool').flatMap((f) => [`--${f.name}`, ...(f.short ? [`-${f.short}`] : [])]),
  );
  const words: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    if (arg === '--') return [...words, ...argv.slice(i + 1)];
    if (arg.startsWith('-') && arg !== '-') {
      if (valueFlags.has(arg)) i++;
      continue;
    }
    words.push(arg);
  }
  return words;
}

function findCommand(words: readonly string[]): { spec: CommandSpec; length: number } | undefined {
  for (const spec of COMMANDS) {
    for (const path of spec.paths) {
      if (path.every((w, i) => words[i] === w)) return { spec, length: path.length };
    }
  }
  return undefined;
}

/** strconv.ParseBool */
function parseBool(name: string, value: string): boolean {
  if (['1', 't', 'T', 'TRUE', 'true', 'True'].includes(value)) return true;
  if (['0', 'f', 'F', 'FALSE', 'false', 'False'].includes(value)) return false;
  throw new FlyUsageError(`invalid argument "${value}" for "--${name}" flag: strconv.ParseBool: parsing "${value}": invalid syntax`);
}

function setFlag(flags: ParsedArgs['flags'], spec: FlagSpec, value: string | true, shown: string): void {
  if (spec.type === 'bool') {
    flags[spec.name] = value === true ? true : parseBool(spec.name, value);
    return;
  }
  if (value === true) throw new FlyUsageError(`flag needs an argument: ${shown}`);
  if (spec.type === 'duration' && parseGoDuration(value) === undefined) {
    throw new FlyUsageError(`invalid argument "${value}" for "--${spec.name}" flag: time: invalid duration "${value}"`);
  }
  flags[spec.name] = value;
}

export function parseFlyArgs(argv: readonly string[]): ParsedArgs {
  const words = positionalWords(argv);
  const found = findCommand(words);
  if (!found && words.length > 0) throw new FlyUsageError(`unknown command "${words[0]}" for "flyctl"`);
  const specs = [...GLOBAL_FLAGS, ...(found?.spec.flags ?? [])];
  const flags: ParsedArgs['flags'] = {};
  const positionals: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? '';
    const next = (): string | true => (i + 1 < argv.length ? (argv[++i] ?? '') : true);
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (arg.startsWith('--')) {
      const eq = arg.indexOf('=');
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      const spec = specs.find((f) => f.name === name);
      if (!spec) throw new FlyUsageError(`unknown flag: --${name}`);
      setFlag(flags, spec, eq !== -1 ? arg.slice(eq + 1) : spec.type === 'bool' ? true : next(), `--${name}`);
    } else if (arg.startsWith('-') && arg !== '-') {
      for (let c = 1; c < arg.length; c++) {
        const short = arg.charAt(c);
        const spec = specs.find((f) => f.short === short);
        if (!spec) throw new FlyUsageError(`unknown shorthand flag: '${short}' in ${arg}`);
        const rest = arg.slice(c + 1);
        if (spec.type === 'bool') {
          if (rest.startsWith('=')) {
            setFlag(flags, spec, rest.slice(1), `'${short}' in ${arg}`);
            break;
          }
          setFlag(flags, spec, true, `'${short}' in ${arg}`);
          continue;
        }
        setFlag(flags, spec, rest ? rest.replace(/^=/, '') : next(), `'${short}' in -${short}`);
        break;
      }
    } else {
      positionals.push(arg);
    }
  }
  const args = positionals.slice(found?.length ?? 0);
  const min = found?.spec.minArgs ?? 0;
  if (args.length < min && flags.help !== true) {
    throw new FlyUsageError(`requires at least ${min} arg(s), only received ${args.length}`);
  }
  if (found && args.length > found.spec.maxArgs) {
    if (found.spec.maxArgs === 0) throw new FlyUsageError(`unknown command "${args[0]}" for "flyctl ${found.spec.paths[0]?.join(' ')}"`);
    throw new FlyUsageError(`accepts at most ${found.spec.maxArgs} arg(s), received ${args.length}`);
  }
  return { command: found?.spec.id, flags, args };
}
