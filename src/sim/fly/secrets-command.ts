/**
 * `fly secrets set NAME=VALUE…`, `fly secrets unset NAME…`, `fly secrets deploy` (flyctl
 * internal/command/secrets/set.go, unset.go, deploy.go). set and unset change the secrets and,
 * unless `--stage`, run DeploySecrets (secrets.go): a restart-only deployment with the app's
 * current config, never a local fly.toml ("It would be confusing for setting secrets to deploy
 * the current fly.toml file"), that creates a new release with the *same* image
 * (deploy/machines.go setImg) and restarts the machines with the new secrets.
 */
import { FlyCommandError, type CommandContext } from './command-context.ts';

const POLL_SLICE_MS = 10_000;
const STAGED = 'Secrets have been staged, but not set on VMs. Deploy or update machines in this app for the secrets to take effect.\n';

export async function runSecretsSet(ctx: CommandContext): Promise<number> {
  const set: Record<string, string> = {};
  for (const arg of ctx.args) {
    // cmdutil.ParseKVStringsToMap
    const eq = arg.indexOf('=');
    if (eq <= 0) throw new FlyCommandError(`could not parse secrets: '${arg}': must be in the format NAME=VALUE`);
    set[arg.slice(0, eq)] = arg.slice(eq + 1);
  }
  await ctx.client.app(ctx.app);
  await ctx.client.setSecrets(ctx.app, set, []);
  return deploySecrets(ctx, ctx.flags.stage === true);
}

export async function runSecretsUnset(ctx: CommandContext): Promise<number> {
  await ctx.client.app(ctx.app);
  await ctx.client.setSecrets(ctx.app, {}, ctx.args);
  return deploySecrets(ctx, ctx.flags.stage === true);
}

export async function runSecretsDeploy(ctx: CommandContext): Promise<number> {
  const app = await ctx.client.app(ctx.app);
  if (app.machines.length === 0) throw new FlyCommandError('no machines available to deploy');
  return deploySecrets(ctx, false);
}

async function deploySecrets(ctx: CommandContext, stage: boolean): Promise<number> {
  if (stage) {
    ctx.out(STAGED);
    return 0;
  }
  let release = await ctx.client.restart(ctx.app);
  ctx.out(`Updating existing machines in '${ctx.app}' with ${release.strategy} strategy\n`);
  if (ctx.flags.detach === true) return 0;
  while (release.status === 'running') release = await ctx.client.release(ctx.app, release.id, POLL_SLICE_MS);
  if (release.status !== 'complete') throw new FlyCommandError(release.error ?? `release v${release.version} ${release.status}`);
  return 0;
}
