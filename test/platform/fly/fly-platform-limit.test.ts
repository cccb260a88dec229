/**
 * The concurrency limit on flyctl processes, through real spawns of a fake flyctl that logs when
 * each run starts and ends: never more than maxConcurrent at once, rollback deploys ahead of
 * queued polls, and a full or abandoned queue failing fast with coded errors.
 */
import { copyFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../../../src/infra/exec/run-cli.ts';
import { DEFAULT_MAX_CONCURRENT, FlyPlatform, type FlyPlatformOptions } from '../../../src/platform/fly/fly-platform.ts';
import { SecretRegistry } from '../../../src/infra/secrets.ts';
import { FIXTURES, fakeFlyDir, type FakeFlyDir } from './fake-fly.ts';

const IMAGE = 'registry.fly.io/renderflow-api:deployment-01J5ZK8Q9X3V7M2N4P6R8T0W1Y';
let fake: FakeFlyDir;
let flyBin: string;

beforeAll(async () => {
  fake = await fakeFlyDir();
  for (const name of ['releases.json', 'deploy-stdout.txt']) await copyFile(join(FIXTURES, name), join(fake.dir, name));
  const d = fake.dir;
  // Each run logs "start <command> <app>", holds its slot for 300 ms, then logs "end".
  flyBin = await fake.script('fly', `
app=$(echo "$@" | sed 's/.*--app \\([^ ]*\\).*/\\1/')
echo "start $1 $app" >> "${d}/runs.log"
sleep 0.3
echo "end $1 $app" >> "${d}/runs.log"
case "$1" in
  releases) echo "parent $PPID" >> "${d}/runs.log"; cat "${d}/releases.json" ;;
  deploy) cat "${d}/deploy-stdout.txt" ;;
esac`);
});
afterAll(() => fake.cleanup());

let run = 0;
/** runs.log is shared by the tests; each uses its own app names. */
function platform(extra: Partial<FlyPlatformOptions> = {}): FlyPlatform {
  return new FlyPlatform({
    binary: flyBin,
    apiToken: 'fo1_limit-test-token',
    timeouts: { releases: 10_000, status: 10_000, logs: 10_000, deploy: 10_000 },
    secrets: new SecretRegistry(),
    ...extra,
  });
}

/** The start/end lines of runs whose app starts with `prefix`, in the order they happened. */
async function runs(prefix: string): Promise<string[]> {
  return (await fake.read('runs.log')).split('\n').filter((line) => line.split(' ')[2]?.startsWith(prefix));
}

function maxOverlap(lines: readonly string[]): number {
  let now = 0;
  let max = 0;
  for (const line of lines) {
    now += line.startsWith('start') ? 1 : -1;
    max = Math.max(max, now);
  }
  return max;
}

describe('FlyPlatform concurrency limit', () => {
  it('defaults to 8 processes at once', () => {
    expect(DEFAULT_MAX_CONCURRENT).toBe(8);
  });

  it('never runs more than maxConcurrent flyctl processes; every call still completes', async () => {
    const app = `limit-${++run}`;
    const fly = platform({ maxConcurrent: 2 });
    const results = await Promise.all(Array.from({ length: 6 }, (_, i) => fly.listReleases(`${app}-${i}`)));
    expect(results.every((r) => r.length > 0)).toBe(true);
    const lines = (await runs(app)).filter((l) => !l.startsWith('parent'));
    expect(lines).toHaveLength(12);
    expect(maxOverlap(lines)).toBe(2);
    expect(fly.load).toEqual({ active: 0, queued: 0 });
  });

  it('a rollback deploy starts before release polls that queued earlier', async () => {
    const app = `urgent-${++run}`;
    const fly = platform({ maxConcurrent: 1 });
    const first = fly.listReleases(`${app}-poll0`);
    const polls = [fly.listReleases(`${app}-poll1`), fly.listReleases(`${app}-poll2`)];
    const deploy = fly.deployImage(`${app}-deploy`, IMAGE, { strategy: 'immediate', waitTimeoutMs: 5_000 });
    expect(fly.load).toEqual({ active: 1, queued: 3 });
    await Promise.all([first, ...polls, deploy]);
    const starts = (await runs(app)).filter((l) => l.startsWith('start')).map((l) => l.split(' ')[2]);
    expect(starts).toEqual([`${app}-poll0`, `${app}-deploy`, `${app}-poll1`, `${app}-poll2`]);
  });

  it('when the queue is full then the call fails at once with WD_ERR_PLATFORM_BUSY', async () => {
    const app = `full-${++run}`;
    const fly = platform({ maxConcurrent: 1, maxQueued: 1 });
    const running = fly.listReleases(`${app}-a`);
    const waiting = fly.listReleases(`${app}-b`);
    await expect(fly.listReleases(`${app}-c`)).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_BUSY' });
    await Promise.all([running, waiting]);
    expect((await runs(app)).filter((l) => l.startsWith('start'))).toHaveLength(2);
  });

  it('a call aborted while it waits never starts flyctl and fails WD_ERR_PLATFORM_ABORTED', async () => {
    const app = `abort-${++run}`;
    const fly = platform({ maxConcurrent: 1 });
    const running = fly.listReleases(`${app}-a`);
    const controller = new AbortController();
    const waiting = fly.listReleases(`${app}-b`, controller.signal);
    controller.abort(new Error('watchdog stopping'));
    await expect(waiting).rejects.toMatchObject({ name: 'CliError', code: 'WD_ERR_PLATFORM_ABORTED' });
    await running;
    expect((await runs(app)).filter((l) => l.startsWith('start'))).toEqual([`start releases ${app}-a`]);
  });

  it('starts flyctl from the spawn helper by default, from this process with exec: runCli', async () => {
    const parents = async () => (await fake.read('runs.log')).split('\n').filter((l) => l.startsWith('parent')).map((l) => Number(l.split(' ')[1]));
    await platform().listReleases(`parent-${++run}`);
    expect((await parents()).at(-1)).not.toBe(process.pid);
    await platform({ exec: runCli }).listReleases(`parent-${++run}`);
    expect((await parents()).at(-1)).toBe(process.pid);
  });
});
