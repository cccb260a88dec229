/**
 * The working directory of every flyctl the watchdog starts. flyctl reads `fly.toml` (or
 * fly.json, fly.yaml) from its working directory (flyctl internal/command/command.go
 * appConfigFilePaths, LoadAppConfigIfPresent), and `fly deploy` then deploys *that* config onto
 * the app named by `--app` (deploy/deploy.go determineAppConfig only swaps in the name). Started
 * from a checkout of the watchdog, that is the watchdog's own fly.toml: a rollback would fail on
 * its volume mount, or replace the target's services, env, checks and process groups. Run from
 * an empty directory, flyctl uses the app's current config instead (appconfig/remote.go).
 *
 * One directory per process, made on first use by mkdtemp (mode 0700, owned by us, so nobody
 * else can put a fly.toml there). It is never removed: the spawn helper lets a rollback deploy
 * finish after the daemon exits, and flyctl must not lose its working directory mid-deploy.
 */
import { chmod, mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

let dir: Promise<string> | undefined;

export function privateWorkDir(): Promise<string> {
  dir ??= (async () => {
    const path = await mkdtemp(join(tmpdir(), 'rollback-watchdog-flyctl-'));
    await chmod(path, 0o700); // mkdtemp already does; a umask or platform quirk must not widen it
    return path;
  })();
  // A failure (a full or read-only tmp) is retried by the next call rather than remembered.
  dir.catch(() => {
    dir = undefined;
  });
  return dir;
}
