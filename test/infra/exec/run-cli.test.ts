import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CliError } from '../../../src/infra/errors.ts';
import { formatCommand, runCli, type RunCliOptions } from '../../../src/infra/exec/run-cli.ts';
import { MASK, SecretRegistry } from '../../../src/infra/secrets.ts';
import { fakeFlyDir, isAlive, type FakeFlyDir } from '../../platform/fly/fake-fly.ts';

const TOKEN = 'fo1_secret-token-0123456789';
let fake: FakeFlyDir;
let secrets: SecretRegistry;

beforeAll(async () => {
  fake = await fakeFlyDir();
  secrets = new SecretRegistry();
  secrets.add(TOKEN);
});
afterAll(() => fake.cleanup());

const opts = (extra: Partial<RunCliOptions> = {}): RunCliOptions => ({
  timeoutMs: 10_000,
  secrets,
  env: { FLY_API_TOKEN: TOKEN },
  ...extra,
});

async function failure(promise: Promise<unknown>): Promise<CliError> {
  const err = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CliError);
  return err as CliError;
}

describe('runCli', () => {
  it('returns stdout with ANSI colours stripped', async () => {
    const bin = await fake.script('ok', `printf '\\033[32mhello\\033[0m\\r\\nworld\\n'; echo 'note' >&2`);
    const result = await runCli(bin, ['releases'], opts());
    expect(result).toMatchObject({ stdout: 'hello\nworld\n', stderr: 'note', timedOut: false, truncated: false });
    expect(result.cmd).toBe('ok releases');
  });

  it('passes args as an array: no shell expands them', async () => {
    const bin = await fake.script('argv', `printf '%s\\n' "$@" > "${fake.dir}/argv.txt"`);
    const args = ['--app', 'a; rm -rf /', '$(id)', '*', "it's"];
    await runCli(bin, args, opts());
    expect((await fake.read('argv.txt')).trimEnd().split('\n')).toEqual(args);
  });

  it('passes PATH, HOME and the given variables, nothing else from process.env', async () => {
    process.env.WD_TEST_UNRELATED = 'leak';
    try {
      const bin = await fake.script('env', `env > "${fake.dir}/env.txt"`);
      await runCli(bin, [], opts({ env: { FLY_API_TOKEN: TOKEN, FLY_NO_UPDATE_CHECK: '1', UNSET: undefined } }));
      const env = await fake.read('env.txt');
      expect(env).toContain(`FLY_API_TOKEN=${TOKEN}`);
      expect(env).toContain('FLY_NO_UPDATE_CHECK=1');
      expect(env).toContain(`PATH=${process.env.PATH}`);
      expect(env).not.toContain('WD_TEST_UNRELATED');
      expect(env).not.toContain('UNSET');
    } finally {
      delete process.env.WD_TEST_UNRELATED;
    }
  });

  it('on a non-zero exit throws COMMAND_FAILED with exit code, stderr and a one-line message', async () => {
    const bin = await fake.script('fly', `echo 'Searching…' >&2; echo 'Error: app not found' >&2; exit 1`);
    const err = await failure(runCli(bin, ['releases', '--app', 'renderflow-api'], opts()));
    expect(err).toMatchObject({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED', exitCode: 1, timedOut: false });
    expect(err.stderr).toContain('Error: app not found');
    expect(err.message).toBe('fly releases --app renderflow-api exited 1: Error: app not found');
  });

  it('never lets the token out, even when flyctl echoes it', async () => {
    const bin = await fake.script('echo-token', `echo "using $FLY_API_TOKEN"; echo "Error: token $FLY_API_TOKEN rejected" >&2; exit 1`);
    const err = await failure(runCli(bin, ['status', TOKEN], opts()));
    const everything = JSON.stringify({ ...err, message: err.message, stack: err.stack });
    expect(everything).not.toContain(TOKEN);
    expect(err.message).toContain(MASK);
    expect(err.cmd).toBe(`echo-token status ${MASK}`);
  });

  it('kills a hung process tree on timeout and rejects promptly', async () => {
    const bin = await fake.script('hang', `echo $$ > "${fake.dir}/hang.pid"; echo 'partial'; sleep 60`);
    const started = Date.now();
    const err = await failure(runCli(bin, ['deploy'], opts({ timeoutMs: 300 })));
    expect(Date.now() - started).toBeLessThan(10_000); // `sleep 60` would hold the pipes for a minute
    expect(err).toMatchObject({ code: 'WD_ERR_PLATFORM_TIMEOUT', timedOut: true });
    expect(err.message).toBe('hang deploy timed out after 300ms');
    expect(isAlive(Number(await fake.read('hang.pid')))).toBe(false);
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const bin = await fake.script('stubborn', `trap '' TERM; echo $$ > "${fake.dir}/stubborn.pid"; sleep 60`);
    const err = await failure(runCli(bin, [], opts({ timeoutMs: 300, killGraceMs: 200 })));
    expect(err.code).toBe('WD_ERR_PLATFORM_TIMEOUT');
    expect(isAlive(Number(await fake.read('stubborn.pid')))).toBe(false);
  });

  it('with allowTimeout resolves with what was printed before the timeout', async () => {
    const bin = await fake.script('slow-logs', `echo 'line 1'; echo 'line 2'; sleep 60`);
    const result = await runCli(bin, [], opts({ timeoutMs: 300, allowTimeout: true }));
    expect(result).toMatchObject({ stdout: 'line 1\nline 2\n', timedOut: true });
  });

  it('on abort kills the process and throws ABORTED', async () => {
    const bin = await fake.script('abortable', 'sleep 60');
    const controller = new AbortController();
    setTimeout(() => controller.abort(new Error('shutdown')), 100);
    const err = await failure(runCli(bin, [], opts({ signal: controller.signal })));
    expect(err).toMatchObject({ code: 'WD_ERR_PLATFORM_ABORTED', timedOut: false });
  });

  it('when the binary does not exist throws COMMAND_FAILED without an exit code', async () => {
    const err = await failure(runCli(`${fake.dir}/no-such-fly`, ['status'], opts()));
    expect(err).toMatchObject({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED', exitCode: undefined });
    expect(err.message).toMatch(/^no-such-fly status could not start: /);
  });

  it('reports a process killed by someone else', async () => {
    const bin = await fake.script('oom', 'kill -9 $$');
    const err = await failure(runCli(bin, [], opts()));
    expect(err.message).toBe('oom was killed by SIGKILL');
  });

  it('keeps only the tail of a huge output and says it was truncated', async () => {
    const bin = await fake.script('chatty', `i=0; while [ $i -lt 2000 ]; do echo "line $i"; i=$((i+1)); done`);
    const result = await runCli(bin, [], opts({ maxOutputBytes: 1000 }));
    expect(result.truncated).toBe(true);
    expect(result.stdout.length).toBeLessThanOrEqual(1000);
    expect(result.stdout.endsWith('line 1999\n')).toBe(true);
    expect(result.output.split('\n')).toHaveLength(40);
  });
});

describe('formatCommand', () => {
  it.each([
    [['releases', '--app', 'a', '--json'], 'fly releases --app a --json'],
    [['deploy', '--image', 'has space'], 'fly deploy --image "has space"'],
    [['x', ''], 'fly x ""'],
  ])('formats %j', (args, expected) => {
    expect(formatCommand('/usr/local/bin/fly', args)).toBe(expected);
  });
});
