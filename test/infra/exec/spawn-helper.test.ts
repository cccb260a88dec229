/**
 * runCli through the spawn helper: the same results and coded errors as runCli, masked here, and
 * the processes started by another process than this one. Real spawns of tiny /bin/sh scripts.
 */
import { readFile } from 'node:fs/promises';
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
});
