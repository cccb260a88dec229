/**
 * `fly deploy --image REF` (fly-facts §2): resolve the image, start the release, then wait for the
 * machines unless `--detach`. stderr carries the image search lines, stdout the progress markers
 * and, with FLY_EMIT_RELEASE_JSON=1, the release line. A wait longer than `--wait-timeout` fails
 * like flyctl's health-check timeout (the release itself carries on).
 */
import { goJsonCompact } from '../format/go-render.ts';
import { DEPLOY_STRATEGIES, type DeployStrategy, type SimRelease } from '../sim-types.ts';
import { ControlError } from './control-client.ts';
import { FlyCommandError, type CommandContext } from './command-context.ts';
import { parseGoDuration } from './go-duration.ts';

const DEFAULT_WAIT_TIMEOUT = '5m0s';
/** Long-poll slice: short enough that a killed parent never leaves a long request behind. */
const POLL_SLICE_MS = 10_000;

export async function runDeploy(ctx: CommandContext): Promise<number> {
  const { client, app, flags, out, err } = ctx;
  const image = flags.image;
  if (typeof image !== 'string' || image === '') {
    throw new FlyCommandError('failed to fetch an image or build from source: app does not have a Dockerfile or buildpacks configured. See https://fly.io/docs/reference/configuration/#the-build-section');
  }
  const strategy = String(flags.strategy ?? 'rolling');
  if (!(DEPLOY_STRATEGIES as readonly string[]).includes(strategy)) {
    throw new FlyCommandError(`unsupported deployment strategy '${strategy}'; must be one of ${DEPLOY_STRATEGIES.join(', ')}`);
  }
  const waitMs = parseGoDuration(String(flags['wait-timeout'] ?? DEFAULT_WAIT_TIMEOUT)) ?? 0;

  await client.app(app);
  err(`Searching for image '${image}' remotely...\n`);
  const accepted = await client.deploy(app, image, strategy as DeployStrategy).catch((e: unknown) => {
    if (e instanceof ControlError && e.code === 'SIM_ERR_IMAGE_NOT_FOUND') {
      throw new FlyCommandError(`failed to fetch an image or build from source: ${e.message}`);
    }
    throw e;
  });
  err(`image found: ${accepted.imageId}\n`);
  out(`\nWatch your deployment at https://fly.io/apps/${app}/monitoring\n\n`);
  out(`Updating existing machines in '${app}' with ${strategy} strategy\n\n`);
  if (flags.detach === true) {
    emitReleaseJson(ctx, accepted.release);
    return 0;
  }

  const firstMachine = accepted.machines[0] ?? 'unknown';
  const deadline = Date.now() + waitMs;
  let release = accepted.release;
  while (release.status === 'running') {
    const remaining = deadline - Date.now();
    if (remaining <= 0) throw new FlyCommandError(`timeout reached waiting for health checks to pass for machine ${firstMachine}`);
    release = await client.release(app, release.id, Math.min(remaining, POLL_SLICE_MS));
  }
  if (release.status === 'failed') {
    throw new FlyCommandError(`timeout reached waiting for health checks to pass for machine ${firstMachine}`);
  }
  if (release.status !== 'complete') {
    // Not a flyctl message: the simulator's account of a deploy superseded by a newer one.
    throw new FlyCommandError(`release v${release.version} was ${release.status} by a newer deployment`);
  }
  for (const machine of accepted.machines) out(`Machine ${machine} is now in a good state\n`);
  out(`Checking DNS configuration for ${app}.fly.dev\n`);
  out(`\nVisit your newly deployed app at https://${app}.fly.dev/\n`);
  emitReleaseJson(ctx, release);
  return 0;
}

function emitReleaseJson(ctx: CommandContext, release: SimRelease): void {
  if (ctx.env.FLY_EMIT_RELEASE_JSON !== '1') return;
  ctx.out(`${goJsonCompact({ id: release.id, version: release.version, image_ref: release.imageRef })}\n`);
}
