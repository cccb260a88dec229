/**
 * runCli through the spawn helper: the same results and coded errors as runCli, masked here, and
 * the processes started by another process than this one. Real spawns of tiny /bin/sh scripts.
 */
import { readFile, writeFile } from 'node:fs/promises';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCliViaHelper, stopSpawnHelper } from '../../../src/infra/exec/spawn-helper.ts';
import { MASK, SecretRegistry } from '../../../src/infra/secrets.ts';
import { fakeFlyDir, isAlive, type FakeFlyDir } from '../../platform/fly/fake-fly.ts';

const TOKEN = 'fo1_helper-secret-token-0123456789';
let fake: FakeFlyDir;
let bin: string;
const secrets = new SecretRegistry();
secrets.add(TOKEN);

beforeAll(async () => {
  fake = await fakeFlyDir();
  const d = fake.dir;
  bin = await fake.script('cmd', `
case "$1" in
  ok) echo "token $FLY_API_TOKEN pid $$ parent $PPID" ;;
  fail) echo "Error: token $FLY_API_TOKEN refused" >&2; exit 1 ;;
  hang) exec sleep 30 ;;
  slow) sleep 0.5; echo finished > "${d}/$2" ;;
  slower) sleep 3; echo finished > "${d}/$2" ;;
  lingering) (until [ -e "${d}/$2.go" ]; do sleep 0.02; done) & echo "$$ $!" > "${d}/$2" ;;
  parent) echo $PPID ;;
  nice) cut -d' ' -f19 /proc/$$/stat ;;
esac`);
});
afterAll(async () => {
  await stopSpawnHelper();
  await fake.cleanup();
});

const run = (args: string[], extra: { timeoutMs?: number; signal?: AbortSignal } = {}) =>
  runCliViaHelper(bin, args, { timeoutMs: extra.timeoutMs ?? 10_000, secrets, env: { FLY_API_TOKEN: TOKEN }, ...(extra.signal && { signal: extra.signal }) });

describe('runCliViaHelper', () => {
  it('runs the command in another process and masks its output here', async () => {
    const result = await run(['ok']);
    expect(result.stdout).toContain(`token ${MASK}`);
    expect(result.stdout).not.toContain(TOKEN);
    const parent = Number(/parent (\d+)/.exec(result.stdout)?.[1]);
    expect(parent).not.toBe(process.pid);
    expect(result.cmd).toBe('cmd ok');
  });

  it('runs commands at nice 10, behind the daemon when CPU is short', async () => {
    expect((await run(['nice'])).stdout.trim()).toBe('10');
  });

  it('a non-zero exit is a CliError with a masked message and stderr', async () => {
    const err = await run(['fail']).catch((e: unknown) => e);
    expect(err).toMatchObject({ name: 'CliError', code: 'WD_ERR_PLATFORM_COMMAND_FAILED', exitCode: 1 });
    expect(JSON.stringify({ ...(err as object), message: (err as Error).message })).not.toContain(TOKEN);
    expect((err as Error).message).toContain(`token ${MASK} refused`);
  });

  it('a hung command times out with WD_ERR_PLATFORM_TIMEOUT', async () => {
    await expect(run(['hang'], { timeoutMs: 300 })).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_TIMEOUT', timedOut: true });
  });

  it('aborting the caller\'s signal kills the command: WD_ERR_PLATFORM_ABORTED', async () => {
    const controller = new AbortController();
    const pending = run(['hang'], { signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stopping')), 200);
    await expect(pending).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_ABORTED' });
  });

  it('when the helper dies, its calls fail with a coded error and the next call starts a new one', async () => {
    const helperPid = Number((await run(['parent'])).stdout.trim());
    const pending = run(['hang']);
    process.kill(helperPid, 'SIGKILL');
    await expect(pending).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED' });
    const next = Number((await run(['parent'])).stdout.trim());
    expect(next).not.toBe(helperPid);
    expect(isAlive(helperPid)).toBe(false);
  });

  it('when this side disconnects, a running command still finishes (a deploy is never cut short)', async () => {
    const helperPid = Number((await run(['parent'])).stdout.trim());
    const pending = run(['slow', 'slow-marker']).catch((e: unknown) => e);
    await new Promise((resolve) => setTimeout(resolve, 100));
    await stopSpawnHelper();
    expect(await pending).toMatchObject({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED' });
    expect(await readFile(join(fake.dir, 'slow-marker'), 'utf8')).toBe('finished\n');
    expect(isAlive(helperPid)).toBe(false);
  });

  it('a reply that meets the closed channel does not end the helper: the running command still finishes', async () => {
    // The daemon can die between a command's end and the helper noticing: the helper's reply then
    // fails on a channel that still looks connected. That must cost the reply, not the deploy.
    const helperPid = Number((await run(['parent'])).stdout.trim());
    const deploy = run(['slower', 'slower-marker']).catch((e: unknown) => e);
    // `lingering` exits at once but leaves a child holding its output open: its result is ready
    // only when that child ends, which this test lets happen while the helper is stopped.
    const quick = run(['lingering', 'lingering-pids']).catch((e: unknown) => e);
    await until(() => existsSync(join(fake.dir, 'lingering-pids')));
    const [shell, child] = readFileSync(join(fake.dir, 'lingering-pids'), 'utf8').trim().split(' ').map(Number) as [number, number];
    await until(() => !isAlive(shell));
    process.kill(helperPid, 'SIGSTOP');
    try {
      await writeFile(join(fake.dir, 'lingering-pids.go'), '');
      await until(() => ended(child));
      // So the helper wakes to a finished command and to this side gone, in that order.
      const stopping = stopSpawnHelper();
      await new Promise((resolve) => setImmediate(resolve));
      process.kill(helperPid, 'SIGCONT');
      await stopping;
    } finally {
      if (isAlive(helperPid)) process.kill(helperPid, 'SIGCONT');
    }
    expect(await quick).toMatchObject({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED' });
    expect(await deploy).toMatchObject({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED' });
    expect(await readFile(join(fake.dir, 'slower-marker'), 'utf8')).toBe('finished\n');
    expect(isAlive(helperPid)).toBe(false);
  });
});

/** Gone or a zombie: its output is closed, whether or not anyone has reaped it yet. */
function ended(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/stat`, 'utf8').split(' ')[2] === 'Z';
  } catch {
    return true;
  }
}

async function until(condition: () => boolean): Promise<void> {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 10));
}
