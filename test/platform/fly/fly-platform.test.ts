import { copyFile, rm, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FlyPlatform, type FlyPlatformOptions } from '../../../src/platform/fly/fly-platform.ts';
import { SecretRegistry } from '../../../src/infra/secrets.ts';
import { FIXTURES, fakeFlyDir, type FakeFlyDir } from './fake-fly.ts';

const TOKEN = 'fo1_platform-test-token-abcdef';
const IMAGE = 'registry.fly.io/renderflow-api:deployment-01J5ZK8Q9X3V7M2N4P6R8T0W1Y';
const TIMEOUTS = { releases: 10_000, status: 10_000, logs: 10_000, deploy: 10_000 };

let fake: FakeFlyDir;
let flyBin: string;

/**
 * A fake flyctl: records argv and env, then prints the fixture for the subcommand. A `mode` file
 * in the temp dir switches it to failure behaviours, so one binary serves every test.
 */
beforeAll(async () => {
  fake = await fakeFlyDir();
  for (const name of ['releases.json', 'status.json', 'logs.txt', 'deploy-stdout.txt', 'deploy-stderr.txt']) {
    await copyFile(join(FIXTURES, name), join(fake.dir, name));
  }
  const d = fake.dir;
  flyBin = await fake.script('fly', `
printf '%s\\n' "$@" > "${d}/argv.txt"
env > "${d}/env.txt"
pwd > "${d}/cwd.txt"
ls -A > "${d}/cwd-contents.txt"
mode=$(cat "${d}/mode" 2>/dev/null)
case "$mode" in
  fail) echo "Error: failed to get app: token $FLY_API_TOKEN is not authorized" >&2; exit 1 ;;
  garbage) echo '<html>502 Bad Gateway</html>'; exit 0 ;;
  hang) echo '2025-08-12T16:21:04Z app[e78] iad [info]only line'; exec sleep 60 ;;
  silent) exec sleep 60 ;;
  colour) printf '\\033[34m2025-08-12T16:21:04Z\\033[0m app[e78] iad [info]a\\nb\\nc\\n'; exit 0 ;;
  unhealthy) cat "${d}/deploy-stderr.txt" >&2
             echo 'Error: timeout reached waiting for health checks to pass for machine e784079b449483' >&2; exit 1 ;;
  old) grep -v '^{' "${d}/deploy-stdout.txt"; exit 0 ;;
esac
case "$1" in
  releases) cat "${d}/releases.json" ;;
  status) cat "${d}/status.json" ;;
  logs) cat "${d}/logs.txt" ;;
  deploy) cat "${d}/deploy-stderr.txt" >&2; cat "${d}/deploy-stdout.txt" ;;
esac`);
});
afterAll(() => fake.cleanup());
beforeEach(async () => {
  await rm(join(fake.dir, 'mode'), { force: true });
  await rm(join(fake.dir, 'argv.txt'), { force: true });
});

const setMode = (mode: string) => writeFile(join(fake.dir, 'mode'), mode);
const argv = async () => (await fake.read('argv.txt')).trimEnd().split('\n');

function platform(extra: Partial<FlyPlatformOptions> = {}): FlyPlatform {
  return new FlyPlatform({
    binary: flyBin,
    apiToken: TOKEN,
    apiBaseUrl: 'http://127.0.0.1:9/',
    timeouts: TIMEOUTS,
    secrets: new SecretRegistry(),
    ...extra,
  });
}

describe('FlyPlatform argv', () => {
  it.each([
    ['listReleases', (p: FlyPlatform) => p.listReleases('renderflow-api'), ['releases', '--app', 'renderflow-api', '--json']],
    ['status', (p: FlyPlatform) => p.status('renderflow-api'), ['status', '--app', 'renderflow-api', '--json']],
    ['recentLogs', (p: FlyPlatform) => p.recentLogs('renderflow-api', 10), ['logs', '--app', 'renderflow-api', '--no-tail']],
    [
      'deployImage',
      (p: FlyPlatform) => p.deployImage('renderflow-api', IMAGE, { strategy: 'immediate', waitTimeoutMs: 300_000 }),
      ['deploy', '--image', IMAGE, '--app', 'renderflow-api', '--yes', '--update-only', '--skip-release-command', '--strategy', 'immediate', '--wait-timeout', '5m0s'],
    ],
    [
      'deployImage with the app\'s own strategy',
      (p: FlyPlatform) => p.deployImage('renderflow-api', IMAGE, { waitTimeoutMs: 300_000 }),
      ['deploy', '--image', IMAGE, '--app', 'renderflow-api', '--yes', '--update-only', '--skip-release-command', '--wait-timeout', '5m0s'],
    ],
  ])('%s runs the expected flyctl command', async (_name, call, expected) => {
    await call(platform());
    expect(await argv()).toEqual(expected);
  });

  it('passes the token and Fly settings in a minimal env', async () => {
    process.env.WD_TEST_UNRELATED = 'leak';
    // flyctl reads FLY_REGION (internal/config/config.go), and `fly logs` then shows that region only.
    process.env.FLY_REGION = 'ams';
    try {
      await platform().status('renderflow-api');
    } finally {
      delete process.env.WD_TEST_UNRELATED;
      delete process.env.FLY_REGION;
    }
    const env = (await fake.read('env.txt')).split('\n');
    expect(env).toEqual(expect.arrayContaining([
      `FLY_API_TOKEN=${TOKEN}`, 'FLY_API_BASE_URL=http://127.0.0.1:9/', 'FLY_NO_UPDATE_CHECK=1', 'FLY_EMIT_RELEASE_JSON=1',
      // Else flyctl sends its usage metrics synchronously before it exits (internal/metrics/db.go).
      'FLY_SEND_METRICS=0',
    ]));
    expect(env.join('\n')).not.toContain('WD_TEST_UNRELATED');
    expect(env.join('\n')).not.toContain('FLY_REGION');
  });

  it('runs every flyctl in one empty private directory, never the daemon\'s own (flyctl reads ./fly.toml)', async () => {
    const p = platform();
    await p.status('renderflow-api');
    const first = (await fake.read('cwd.txt')).trim();
    await p.listReleases('renderflow-api');
    await platform().recentLogs('renderflow-api', 5);
    expect((await fake.read('cwd.txt')).trim()).toBe(first);
    expect(first).not.toBe(process.cwd());
    expect(await fake.read('cwd-contents.txt')).toBe('');
    expect((await stat(first)).mode & 0o777).toBe(0o700);
  });
});

describe('FlyPlatform results', () => {
  it('listReleases parses releases newest first', async () => {
    const releases = await platform().listReleases('renderflow-api');
    expect(releases.map((r) => r.version)).toEqual([42, 41, 40]);
  });

  it('listReleases carries the digest the machines of each release reported', async () => {
    const p = platform();
    expect((await p.listReleases('renderflow-api'))[0]).not.toHaveProperty('imageDigest');
    await p.status('renderflow-api'); // machines of v42, digest sha256:5f1c…
    const [v42, v41] = await p.listReleases('renderflow-api');
    expect(v42).toMatchObject({ version: 42, imageDigest: 'sha256:5f1c2a9e8b7d6c4f3a2b1c0d9e8f7a6b5c4d3e2f1a0b9c8d7e6f5a4b3c2d1e0f' });
    expect(v41).not.toHaveProperty('imageDigest');
  });

  it('status parses machines', async () => {
    const status = await platform().status('renderflow-api');
    expect(status.machines.map((m) => m.imageRef)).toEqual([IMAGE, IMAGE]);
  });

  it('deployImage reports the new version and keeps output as evidence', async () => {
    const result = await platform().deployImage('renderflow-api', IMAGE, { strategy: 'rolling', waitTimeoutMs: 90_000 });
    expect(result).toMatchObject({ version: 43, imageRef: IMAGE });
    expect(result.output).toContain('Machine e784079b449483 is now in a good state');
    expect(result.output).toContain('image found:');
    expect(await argv()).toContain('1m30s');
  });

  it('deployImage without a release JSON line (older flyctl) has no version', async () => {
    await setMode('old');
    const result = await platform().deployImage('renderflow-api', IMAGE, { strategy: 'rolling', waitTimeoutMs: 60_000 });
    expect(result.version).toBeUndefined();
    expect(result.imageRef).toBe(IMAGE);
  });

  it('a deploy whose checks fail throws CliError with exit code and evidence', async () => {
    await setMode('unhealthy');
    const err = await platform()
      .deployImage('renderflow-api', IMAGE, { strategy: 'rolling', waitTimeoutMs: 60_000 })
      .catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED', exitCode: 1 });
    expect((err as { stderr: string }).stderr).toContain('timeout reached waiting for health checks');
    expect((err as { output: string }).output).toContain('Searching for image');
  });

  it('a failing command never leaks the token', async () => {
    await setMode('fail');
    const err = (await platform().listReleases('renderflow-api').catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED' });
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(TOKEN);
  });

  it.each([
    ['listReleases', (p: FlyPlatform) => p.listReleases('renderflow-api')],
    ['status', (p: FlyPlatform) => p.status('renderflow-api')],
  ])('%s with garbage output throws OUTPUT_INVALID', async (_name, call) => {
    await setMode('garbage');
    await expect(call(platform())).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_OUTPUT_INVALID' });
  });

  it('a hung status call times out', async () => {
    await setMode('silent');
    await expect(platform({ timeouts: { ...TIMEOUTS, status: 300 } }).status('renderflow-api')).rejects.toMatchObject({
      code: 'WD_ERR_PLATFORM_TIMEOUT',
    });
  });
});

describe('FlyPlatform.recentLogs', () => {
  it('keeps the last n lines', async () => {
    const lines = await platform().recentLogs('renderflow-api', 2);
    expect(lines).toHaveLength(2);
    expect(lines[1]).toContain('Listening on 0.0.0.0:8080');
  });

  it('strips ANSI colours', async () => {
    await setMode('colour');
    expect(await platform().recentLogs('renderflow-api', 5)).toEqual(['2025-08-12T16:21:04Z app[e78] iad [info]a', 'b', 'c']);
  });

  it.each([
    ['some lines arrived', 'hang', ['2025-08-12T16:21:04Z app[e78] iad [info]only line']],
    ['nothing arrived', 'silent', []],
  ])('on timeout when %s returns them', async (_label, mode, expected) => {
    await setMode(mode);
    const p = platform({ timeouts: { ...TIMEOUTS, logs: 300 } });
    expect(await p.recentLogs('renderflow-api', 10)).toEqual(expected);
  });
});

describe('FlyPlatform argument validation', () => {
  const invalid = { code: 'WD_ERR_PLATFORM_ARGUMENT_INVALID' };
  const deploy = (p: FlyPlatform, app: string, ref: string) => p.deployImage(app, ref, { strategy: 'rolling', waitTimeoutMs: 60_000 });

  it.each(['--help', '-t', 'Renderflow', 'render flow', '', 'app;rm', 'a'.repeat(64)])('rejects app %j without running flyctl', async (app) => {
    const p = platform();
    await expect(p.status(app)).rejects.toMatchObject(invalid);
    await expect(p.listReleases(app)).rejects.toMatchObject(invalid);
    await expect(p.recentLogs(app, 5)).rejects.toMatchObject(invalid);
    await expect(deploy(p, app, IMAGE)).rejects.toMatchObject(invalid);
    await expect(fake.read('argv.txt')).rejects.toThrow();
  });

  it.each(['--detach', '-', 'registry.fly.io/a b', '', 'a\nb', 'a\u0000b'])('rejects image ref %j', async (ref) => {
    await expect(deploy(platform(), 'renderflow-api', ref)).rejects.toMatchObject(invalid);
    await expect(fake.read('argv.txt')).rejects.toThrow();
  });

  it.each([
    ['strategy', { strategy: '--detach' as 'rolling', waitTimeoutMs: 60_000 }],
    ['a sub-second wait', { strategy: 'rolling' as const, waitTimeoutMs: 400 }],
  ])('rejects %s', async (_label, options) => {
    await expect(platform().deployImage('renderflow-api', IMAGE, options)).rejects.toMatchObject(invalid);
  });

  it('rejects a non-positive line count', async () => {
    await expect(platform().recentLogs('renderflow-api', 0)).rejects.toMatchObject(invalid);
  });

  it('names the argument in the message', async () => {
    await expect(platform().status('--help')).rejects.toThrow(/^Invalid app "--help"/);
  });
});
