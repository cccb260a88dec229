/**
 * The read-only fake-fly commands: `releases`, `status`, `logs` and `machine list`. Each fetches
 * simulator records and prints them through the pure flyctl formatters.
 */
import { formatLogJson, formatLogText } from '../format/logs.ts';
import { formatMachineListJson, formatStatusJson } from '../format/machines.ts';
import { formatReleasesJson, formatReleasesTable } from '../format/releases.ts';
import type { LogEntry } from '../sim-types.ts';
import { ControlError } from './control-client.ts';
import { FlyCommandError, type CommandContext } from './command-context.ts';

/** flyctl's polling interval for `fly logs` (logs/polling.go). */
const LOG_POLL_MS = 250;

export async function runReleases(ctx: CommandContext): Promise<number> {
  const releases = await ctx.client.releases(ctx.app).catch((e: unknown) => {
    throw e instanceof ControlError ? new FlyCommandError(`failed retrieving app releases ${ctx.app}: ${e.message}`) : e;
  });
  ctx.out(ctx.flags.json === true ? formatReleasesJson(releases) : formatReleasesTable(releases, ctx.simNow, ctx.flags.image === true));
  return 0;
}

export async function runStatus(ctx: CommandContext): Promise<number> {
  requireJson(ctx, 'status');
  ctx.out(formatStatusJson(await ctx.client.status(ctx.app)));
  return 0;
}

export async function runMachineList(ctx: CommandContext): Promise<number> {
  requireJson(ctx, 'machine list');
  ctx.out(formatMachineListJson(await ctx.client.machines(ctx.app)));
  return 0;
}

/**
 * Prints what the log buffer holds, then keeps polling for new lines. With --no-tail it stops
 * after the first non-empty batch; on an empty buffer it keeps polling, as flyctl does.
 */
export async function runLogs(ctx: CommandContext): Promise<number> {
  const { flags } = ctx;
  // flyctl logs.go: the region filter defaults to FLY_REGION (internal/config/config.go), which
  // is set on every Fly machine; a machine filter clears it.
  const machineFlag = typeof flags.machine === 'string' ? flags.machine : typeof flags.instance === 'string' ? flags.instance : undefined;
  const region = typeof flags.region === 'string' ? flags.region : machineFlag ? undefined : ctx.env.FLY_REGION || undefined;
  const machine = machineFlag;
  const ansi = ctx.env.FLY_SIM_LOG_ANSI === '1';
  const wanted = (e: LogEntry) => (!region || e.region === region) && (!machine || e.instance === machine);
  let after = 0;
  for (;;) {
    const entries = await ctx.client.logs(ctx.app, after);
    after = entries.at(-1)?.seq ?? after;
    const shown = entries.filter(wanted);
    for (const entry of shown) ctx.out(flags.json === true ? formatLogJson(entry) : formatLogText(entry, ansi));
    if (flags['no-tail'] === true && shown.length > 0) return 0;
    await ctx.sleep(LOG_POLL_MS);
  }
}

function requireJson(ctx: CommandContext, command: string): void {
  if (ctx.flags.json !== true) {
    throw new FlyCommandError(`the simulator's fake fly prints \`fly ${command}\` only with --json`);
  }
}
