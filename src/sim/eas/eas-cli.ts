/**
 * The fake `eas`: an eas-cli stand-in for `update:list` and `update:republish` whose world is a
 * JSON state file (eas-state.ts): `$EAS_SIM_STATE`, else `eas-sim-state.json` in the working
 * directory (the Expo project dir, as for real eas). Every invocation is recorded in the state
 * file before anything else happens, including ones that then fail or hang.
 *
 * Failures look like eas-cli's (EasCommand.catch): the cause on stderr, then
 * `    Error: <command> command failed.`, exit 1. Usage errors exit 2, as oclif's do.
 */
import { join } from 'node:path';
import { EasUsageError, parseEasArgs, type EasArgs } from './eas-args.ts';
import { EasCommandFailure, runList, runRepublish, type CommandContext } from './eas-commands.ts';
import { readState, SimCommand, writeState, type SimFault, type SimState } from './eas-state.ts';

export interface EasIo {
  out: (text: string) => void;
  err: (text: string) => void;
  /** True when stdin is a terminal; eas is non-interactive otherwise. */
  stdinIsTTY: boolean;
}

export const STATE_FILE_NAME = 'eas-sim-state.json';

// SessionManager's wording when neither a login nor EXPO_TOKEN is available.
const NOT_LOGGED_IN = 'An Expo user account is required to proceed.\n'
  + "Either log in with eas login or set the EXPO_TOKEN environment variable if you're using EAS CLI on CI "
  + '(Learn more: https://docs.expo.dev/accounts/programmatic-access/)';
const BAD_GATEWAY = '<html>\r\n<head><title>502 Bad Gateway</title></head>\r\n<body>\r\n<center><h1>502 Bad Gateway</h1></center>\r\n</body>\r\n</html>\r\n';

/** Runs one invocation and resolves with its exit code (never, for an injected hang). */
export async function main(argv: string[], env: Readonly<Record<string, string | undefined>>, cwd: string, io: EasIo): Promise<number> {
  const statePath = env.EAS_SIM_STATE || join(cwd, STATE_FILE_NAME);
  let state: SimState;
  try {
    state = readState(statePath);
  } catch (e) {
    io.err(`Error: fake eas: cannot use state file ${statePath}: ${e instanceof Error ? e.message : String(e)}\n`);
    return 1;
  }
  const token = env.EXPO_TOKEN || undefined;
  state.invocations.push({ argv, cwd, ...(env.CI !== undefined ? { ci: env.CI } : {}), tokenSet: token !== undefined });
  writeState(statePath, state);

  let args: EasArgs;
  try {
    args = parseEasArgs(argv);
  } catch (e) {
    if (!(e instanceof EasUsageError)) throw e;
    io.err(`Error: ${e.message}\n`);
    return 2;
  }
  const fail = (cause: string, generic = `${args.command} command failed.`) => {
    io.err(`${cause}\n    Error: ${generic}\n`);
    return 1;
  };
  const json = args.flags.json === true;
  const nonInteractive = json || args.flags['non-interactive'] === true || isTruthy(env.CI) || !io.stdinIsTTY;

  if (token === undefined) return fail(NOT_LOGGED_IN);
  const fault = state.faults[SimCommand.parse(args.command)];
  if (fault) return applyFault(fault, args.command, token, io, fail);
  if (state.token !== undefined && token !== state.token) return fail('Unauthorized: the access token is invalid or was revoked', 'GraphQL request failed.');

  const ctx: CommandContext = { state, flags: args.flags, nonInteractive, out: io.out, log: json ? io.err : io.out };
  try {
    const code = args.command === 'update:list' ? runList(ctx) : runRepublish(ctx);
    writeState(statePath, state);
    return code;
  } catch (e) {
    if (e instanceof EasCommandFailure) return fail(e.message);
    throw e;
  }
}

/** None of the faults changes the world: a faulty republish creates no group. */
async function applyFault(fault: SimFault, command: string, token: string, io: EasIo, fail: (cause: string, generic?: string) => number): Promise<number> {
  switch (fault) {
    case 'hang':
      // An interval keeps the event loop (and so the process) alive until it is killed.
      setInterval(() => {}, 60_000);
      return new Promise<number>(() => {});
    case 'garbage':
      io.out(`[\n  {\n    "id": "0c1d${BAD_GATEWAY}`);
      return 0;
    case 'wrong-shape':
      // Valid JSON, but a GraphQL envelope instead of what the command promises.
      io.out(`${JSON.stringify({ data: { updateBranch: { publishUpdateGroups: [] } }, command }, null, 2)}\n`);
      return 0;
    case 'exit1':
      return fail('request to https://api.expo.dev/graphql failed, reason: getaddrinfo EAI_AGAIN api.expo.dev');
    case 'bad-token':
      // Echoes the token, as some proxies and old servers do: callers must mask it.
      return fail(`Unauthorized: access token "${token}" is invalid or was revoked`, 'GraphQL request failed.');
  }
}

/** getenv's boolish: 1/true/yes/on (any case) are true. */
function isTruthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}
