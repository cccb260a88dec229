/**
 * `fly deploy --image REF` (fly-facts §2; flyctl internal/command/deploy/): resolve the image,
 * create the release with the config (the local fly.toml if one was loaded, else the app's),
 * run the release command unless `--skip-release-command`, launch machines for process groups
 * that have none unless `--update-only`, update the machines, then wait for them unless
 * `--detach` or `immediate` (machines_deploymachinesapp.go updateUsingImmediateStrategy waits
 * for nothing, so `--wait-timeout` does nothing there). flyctl ends its release itself: failed
 * on an error, interrupted on SIGINT/SIGTERM (interrupt.ts).
 */
import { goJsonCompact } from '../format/go-render.ts';
import { DEPLOY_STRATEGIES, type DeployAccepted, type DeployFaultMode, type DeployStrategy, type SimRelease } from '../sim-types.ts';
import { ControlError, type DeployArgs } from './control-client.ts';
import { FlyCommandError, type CommandContext } from './command-context.ts';
import { parseGoDuration } from './go-duration.ts';
import { hangForever } from './injected-faults.ts';
import { onInterrupt } from './interrupt.ts';

const DEFAULT_WAIT_TIMEOUT = '5m0s';
/** Long-poll slice: short enough that a killed parent never leaves a long request behind. */
const POLL_SLICE_MS = 10_000;

export async function runDeploy(ctx: CommandContext, fault?: DeployFaultMode): Promise<number> {
  const { client, app, flags, out, err } = ctx;
  const image = flags.image;
  if (typeof image !== 'string' || image === '') {
    throw new FlyCommandError('failed to fetch an image or build from source: app does not have a Dockerfile or buildpacks configured. See https://fly.io/docs/reference/configuration/#the-build-section');
  }
  const strategyFlag = typeof flags.strategy === 'string' && flags.strategy !== '' ? flags.strategy : undefined;
  if (strategyFlag !== undefined && !(DEPLOY_STRATEGIES as readonly string[]).includes(strategyFlag)) {
    throw new FlyCommandError(`unsupported deployment strategy '${strategyFlag}'; must be one of ${DEPLOY_STRATEGIES.join(', ')}`);
  }
  const waitMs = parseGoDuration(String(flags['wait-timeout'] ?? DEFAULT_WAIT_TIMEOUT)) ?? 0;

  await client.app(app);
  err(`Searching for image '${image}' remotely...\n`);
  const found = await client.resolveImage(app, image).catch((e: unknown) => {
    throw e instanceof ControlError && e.code === 'SIM_ERR_IMAGE_NOT_FOUND' ? new FlyCommandError(`failed to fetch an image or build from source: ${e.message}`) : e;
  });
  err(`image found: ${found.id}\n`);
  const args: DeployArgs = {
    image,
    ...(strategyFlag ? { strategy: strategyFlag as DeployStrategy } : {}),
    ...(ctx.localConfig ? { config: ctx.localConfig.config } : {}),
    ...(flags['skip-release-command'] === true ? { skipReleaseCommand: true } : {}),
    ...(flags['update-only'] === true ? { updateOnly: true } : {}),
    // A SIGKILLed flyctl never ends its release; the machines it updated keep the new image.
    ...(fault === 'killed' ? { outcome: 'stuck' as const } : {}),
  };
  const accepted = await client.deploy(app, args);
  const release = accepted.release;
  const stopWatching = watchForInterrupt(ctx, release);
  try {
    out(`\nWatch your deployment at https://fly.io/apps/${app}/monitoring\n\n`);
    if (accepted.releaseCommand) {
      out(`Running ${app} release_command: ${accepted.releaseCommand.command}\n`);
      if (accepted.releaseCommand.exitCode !== 0) throw new FlyCommandError(release.error ?? 'release command failed - aborting deployment');
    }
    const faulted = await afterRelease(ctx, fault, accepted);
    if (faulted !== undefined) return faulted;
    printGroupChanges(ctx, accepted);
    out(`Updating existing machines in '${app}' with ${release.strategy} strategy\n\n`);
    if (flags.detach === true) {
      emitReleaseJson(ctx, release);
      return 0;
    }
    const done = await waitForRelease(ctx, accepted, waitMs);
    if (done.strategy === 'immediate') {
      // Told, not waited for: statusSuccess in updateUsingImmediateStrategy.
      for (const machine of accepted.machines) out(`Machine ${machine} update succeeded\n`);
    } else {
      for (const machine of accepted.machines) out(`Machine ${machine} is now in a good state\n`);
    }
    out(`Checking DNS configuration for ${app}.fly.dev\n`);
    out(`\nVisit your newly deployed app at https://${app}.fly.dev/\n`);
    emitReleaseJson(ctx, done);
    return 0;
  } finally {
    stopWatching();
  }
}

/** The faults that strike once Fly created the release (sim-types.ts DeployFaultMode). */
async function afterRelease(ctx: CommandContext, fault: DeployFaultMode | undefined, accepted: DeployAccepted): Promise<number | undefined> {
  const { client, app } = ctx;
  const id = accepted.release.id;
  switch (fault) {
    case 'release-failed': {
      const message = `failed to update machine ${accepted.machines[0] ?? 'unknown'}: failed to update VM: request returned non-2xx status, 500 (injected fault)`;
      await client.endRelease(app, id, 'failed', message);
      throw new FlyCommandError(message);
    }
    case 'deadline':
      throw new FlyCommandError('context deadline exceeded', 126);
    case 'interrupted':
      await client.endRelease(app, id, 'interrupted');
      return 127;
    case 'killed':
      process.kill(process.pid, 'SIGKILL');
      return hangForever();
    case 'hang-after-release':
      return hangForever();
    default:
      return undefined;
  }
}

/** `Process groups have changed. This will:` and the machines launched (deployCreateMachinesForGroups). */
function printGroupChanges({ out }: CommandContext, accepted: DeployAccepted): void {
  if (accepted.launched.length === 0 && accepted.destroyed.length === 0) return;
  out('Process groups have changed. This will:\n');
  if (accepted.destroyed.length > 0) out(` * destroy ${accepted.destroyed.length} machine${accepted.destroyed.length === 1 ? '' : 's'}\n`);
  const groups = [...new Set(accepted.launched.map((l) => l.group))];
  for (const group of groups) out(` * create machines for "${group}"\n`);
  out('\n');
  for (const group of groups) {
    out(`No machines in group ${group}, launching a new machine\n`);
    for (const l of accepted.launched.filter((m) => m.group === group && m.standbyFor.length > 0)) out(`Creating a standby machine for ${l.standbyFor[0]}\n`);
  }
  out('Finished launching new machines\n');
}

async function waitForRelease(ctx: CommandContext, accepted: DeployAccepted, waitMs: number): Promise<SimRelease> {
  const { client, app } = ctx;
  const firstMachine = accepted.machines[0] ?? 'unknown';
  const deadline = Date.now() + waitMs;
  let release = accepted.release;
  while (release.status === 'running') {
    const remaining = deadline - Date.now();
    if (remaining <= 0 && release.strategy !== 'immediate') {
      // flyctl gives up on the machine and ends the release failed (DeployMachinesApp).
      const message = `timeout reached waiting for health checks to pass for machine ${firstMachine}`;
      await client.endRelease(app, release.id, 'failed', message);
      throw new FlyCommandError(message);
    }
    release = await client.release(app, release.id, Math.min(Math.max(remaining, 1), POLL_SLICE_MS));
  }
  if (release.status === 'failed') {
    if (release.strategy === 'bluegreen') ctx.err('\nRolling back failed deployment\n');
    throw new FlyCommandError(release.error ?? `timeout reached waiting for health checks to pass for machine ${firstMachine}`);
  }
  if (release.status !== 'complete') {
    // Not a flyctl message: the simulator's account of a deploy superseded by a newer one.
    throw new FlyCommandError(`release v${release.version} was ${release.status} by a newer deployment`);
  }
  return release;
}

/** A SIGINT or SIGTERM from here on marks the release interrupted before the exit (interrupt.ts). */
function watchForInterrupt(ctx: CommandContext, release: SimRelease): () => void {
  return onInterrupt(() => ctx.client.endRelease(ctx.app, release.id, 'interrupted').then(() => undefined));
}

function emitReleaseJson(ctx: CommandContext, release: SimRelease): void {
  if (ctx.env.FLY_EMIT_RELEASE_JSON !== '1') return;
  ctx.out(`${goJsonCompact({ id: release.id, version: release.version, image_ref: release.imageRef })}\n`);
}
