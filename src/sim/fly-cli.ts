/**
 * The fake `fly`: a flyctl stand-in that talks to the simulator's control server at
 * FLY_API_BASE_URL instead of api.fly.io, with flyctl's flags, output formats, error lines and
 * exit codes. Every invocation is logged with the simulator before anything else happens, and
 * that is also where an injected fault is picked up.
 */
import { resolve } from 'node:path';
import { FlyUsageError, parseFlyArgs, type CommandId, type ParsedArgs } from './fly/args.ts';
import { FlyCommandError, type CommandContext } from './fly/command-context.ts';
import { ControlClient, ControlError } from './fly/control-client.ts';
import { runDeploy } from './fly/deploy-command.ts';
import { exit1Output, garbageOutput, hangForever, wrongShapeOutput, type FaultOutput } from './fly/injected-faults.ts';
import { loadLocalConfig, type LocalConfig } from './fly/local-config.ts';
import { runLogs, runMachineList, runReleases, runStatus } from './fly/query-commands.ts';
import { runSecretsDeploy, runSecretsSet, runSecretsUnset } from './fly/secrets-command.ts';
import { DEPLOY_FAULT_MODES, FAULT_COMMANDS, type DeployFaultMode, type FaultCommand, type FaultMode } from './sim-types.ts';

export interface CliIo {
  out: (text: string) => void;
  err: (text: string) => void;
}

const NO_TOKEN = "no access token available. Please login with 'flyctl auth login'";
const NO_APP = 'the config for your app is missing an app name, add an app field to the fly.toml file or specify with the -a flag';
const VERSION = 'fly v0.3.999-sim linux/amd64 Commit: simulator BuildDate: 2026-01-01T00:00:00Z\n';
const USAGE = `This is flyctl's stand-in from the rollback-watchdog simulator.

Usage:
  flyctl [command]

Simulated commands:
  releases      List app releases (--app, --json, --image)
  deploy        Deploy an image (--image, --app, --strategy, --wait-timeout, --detach)
  status        Show app status (--app, --json)
  logs          View app logs (--app, --no-tail, --json)
  machine list  List machines (--app, --json)
  secrets       set NAME=VALUE…, unset NAME…, deploy (--app, --stage, --detach)
  version       Show version information

Like flyctl, every command but version reads fly.toml (or fly.json, fly.yaml) from the working
directory, or the file given with -c, and deploy deploys it.
`;

const RUNNERS: Record<Exclude<CommandId, 'version' | 'deploy'>, (ctx: CommandContext) => Promise<number>> = {
  releases: runReleases,
  status: runStatus,
  logs: runLogs,
  'machine-list': runMachineList,
  'secrets-set': runSecretsSet,
  'secrets-unset': runSecretsUnset,
  'secrets-deploy': runSecretsDeploy,
};

/** What the invocation log keeps of the environment: flyctl's own variables, never a token. */
function seenEnv(env: Readonly<Record<string, string | undefined>>): Record<string, string> {
  return Object.fromEntries(
    Object.entries(env).filter((e): e is [string, string] => e[0].startsWith('FLY_') && !/TOKEN/.test(e[0]) && e[1] !== undefined),
  );
}

/** Runs one invocation and resolves with its exit code (never, for an injected hang). */
export async function main(argv: string[], env: Readonly<Record<string, string | undefined>>, io: CliIo, cwd = process.cwd()): Promise<number> {
  const fail = (message: string, exitCode = 1) => {
    io.err(`Error: ${message}\n`);
    return exitCode;
  };
  const baseUrl = env.FLY_API_BASE_URL;
  if (!baseUrl) return fail('FLY_API_BASE_URL is not set; the simulator fake fly needs the control server URL');

  let parsed: ParsedArgs | undefined;
  let usageError: string | undefined;
  try {
    parsed = parseFlyArgs(argv);
  } catch (e) {
    if (!(e instanceof FlyUsageError)) throw e;
    usageError = e.message;
  }
  const token = stringFlag(parsed, 'access-token') ?? env.FLY_ACCESS_TOKEN ?? env.FLY_API_TOKEN;
  const client = new ControlClient(baseUrl, token);
  // Only an invocation that would reach the API can meet an injected fault.
  const faultable = parsed && !usageError && token ? faultCommand(parsed.command) : undefined;

  let report;
  try {
    report = await client.reportInvocation(argv, faultable, { cwd, env: seenEnv(env) });
  } catch (e) {
    return fail(e instanceof Error ? e.message : String(e));
  }
  if (usageError !== undefined || !parsed) return fail(usageError ?? 'invalid arguments');
  if (parsed.command === undefined || parsed.flags.help === true) {
    io.out(USAGE);
    return 0;
  }
  if (parsed.command === 'version') {
    io.out(VERSION);
    return 0;
  }
  if (!token) return fail(NO_TOKEN);
  try {
    // command.go RequireAppName: --app, then FLY_APP, then the loaded config's `app`. `fly deploy
    // DIR` first changes into DIR (ChangeWorkingDirectoryToFirstArgIfPresent).
    const workDir = parsed.command === 'deploy' && parsed.args[0] ? resolve(cwd, parsed.args[0]) : cwd;
    const localConfig: LocalConfig | undefined = loadLocalConfig(workDir, stringFlag(parsed, 'config'));
    const app = stringFlag(parsed, 'app') ?? (env.FLY_APP || undefined) ?? (localConfig?.config.app || undefined);
    if (!app) return fail(NO_APP);
    const fault = report.fault && faultable ? report.fault : undefined;
    const deployFault = fault && (DEPLOY_FAULT_MODES as readonly string[]).includes(fault) ? (fault as DeployFaultMode) : undefined;
    if (fault && faultable && !deployFault) return await applyFault(fault, faultable, app, io);

    const ctx: CommandContext = {
      client,
      app,
      flags: parsed.flags,
      args: parsed.args,
      localConfig,
      env,
      out: io.out,
      err: io.err,
      simNow: report.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
    };
    return parsed.command === 'deploy' ? await runDeploy(ctx, deployFault) : await RUNNERS[parsed.command](ctx);
  } catch (e) {
    if (e instanceof FlyCommandError) return fail(e.message, e.exitCode);
    if (e instanceof ControlError) return fail(e.message);
    throw e;
  }
}

async function applyFault(mode: FaultMode, command: FaultCommand, app: string, io: CliIo): Promise<number> {
  if (mode === 'hang') return hangForever();
  const output: FaultOutput =
    mode === 'garbage' ? garbageOutput(command) : mode === 'wrong-shape' ? wrongShapeOutput(command) : exit1Output(command, app);
  if (output.stdout) io.out(output.stdout);
  if (output.stderr) io.err(output.stderr);
  return output.exitCode;
}

function faultCommand(command: CommandId | undefined): FaultCommand | undefined {
  return (FAULT_COMMANDS as readonly string[]).includes(command ?? '') ? (command as FaultCommand) : undefined;
}

function stringFlag(parsed: ParsedArgs | undefined, name: string): string | undefined {
  const value = parsed?.flags[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
