import { chmod } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MASK, SecretRegistry } from '../../src/infra/secrets.ts';
import { SmokeTest } from '../../src/config/signal-schemas.ts';
import { SmokeTestProvider } from '../../src/signals/smoke-test.ts';
import { TestClock } from '../support/test-clock.ts';
import { scriptDir, type ScriptDir } from '../support/scripts.ts';

let scripts: ScriptDir;
beforeAll(async () => {
  scripts = await scriptDir('wd-smoke-');
});
afterAll(() => scripts.cleanup());

/** A parsed spec, as the config loader would hand it over (durations in ms, defaults filled). */
const spec = (command: string[], over: Record<string, unknown> = {}): SmokeTest =>
  SmokeTest.parse({ name: 'e2e', type: 'smoke', command, retryDelay: '2s', ...over });

function provider(secrets = new SecretRegistry()) {
  const clock = new TestClock('auto', Date.UTC(2026, 0, 1));
  // A short kill grace: the hang test's script dies on SIGTERM anyway.
  return { clock, secrets, smoke: new SmokeTestProvider({ clock, secrets, killGraceMs: 500 }) };
}
const run = (p: SmokeTestProvider, spec: SmokeTest, signal = new AbortController().signal) => p.run(spec, signal);

describe('SmokeTestProvider', () => {
  it('when the command exits 0 then successful after one attempt', async () => {
    const bin = await scripts.script('pass', 'echo all good');
    const { smoke, clock } = provider();
    expect(await run(smoke, spec([bin]))).toMatchObject({ check: 'e2e', phase: 'successful', detail: 'passed', values: { attempts: 1 } });
    expect(clock.sleeps).toEqual([]);
  });

  it('when it fails once then passes on the retry then successful with 2 attempts, after the retry delay', async () => {
    const bin = await scripts.script('flaky', `n=$(cat "${scripts.dir}/flaky.count" 2>/dev/null || echo 0)
echo $((n + 1)) > "${scripts.dir}/flaky.count"
[ "$n" -ge 1 ]`);
    const { smoke, clock } = provider();
    expect(await run(smoke, spec([bin], { retries: 1 }))).toMatchObject({
      phase: 'successful', detail: 'passed on attempt 2 of 2', values: { attempts: 2 },
    });
    expect(clock.sleeps).toEqual([2000]);
  });

  it('when every attempt exits non-zero then failed, with the output tail as evidence', async () => {
    const bin = await scripts.script('fail', 'i=1; while [ $i -le 100 ]; do echo "step $i ok"; i=$((i + 1)); done; echo "checkout: expected 200, got 500" >&2; exit 3');
    const { smoke } = provider();
    const m = await run(smoke, spec([bin], { retries: 2 }));
    expect(m).toMatchObject({ phase: 'failed', detail: 'exited 3 on all 3 attempts', values: { attempts: 3, exitCode: 3 } });
    const lines = (m.evidence ?? '').split('\n');
    expect(lines.at(-1)).toBe('checkout: expected 200, got 500');
    expect(lines.length).toBeGreaterThanOrEqual(30);
    expect(lines.length).toBeLessThanOrEqual(50);
    expect(m.evidence).not.toContain('step 1 ok\n');
  });

  it('when retries is 0 then one failing run is failed', async () => {
    const bin = await scripts.script('fail-once', 'exit 1');
    const { smoke, clock } = provider();
    expect(await run(smoke, spec([bin], { retries: 0 }))).toMatchObject({ phase: 'failed', detail: 'exited 1', values: { attempts: 1 } });
    expect(clock.sleeps).toEqual([]);
  });

  it('when the command hangs past its timeout then failed promptly, without a retry', async () => {
    const bin = await scripts.script('hang', 'echo "waiting for the page"; sleep 30');
    const { smoke } = provider();
    const started = Date.now();
    const m = await run(smoke, spec([bin], { timeout: '300ms', retries: 1 }));
    expect(m).toMatchObject({ phase: 'failed', values: { attempts: 1 } });
    expect(m.detail).toBe('timed out after 300ms (a hung smoke test counts as failing)');
    expect(m.evidence).toContain('waiting for the page');
    expect(Date.now() - started).toBeLessThan(10_000); // not the 30 s of `sleep 30`
  });

  it.each([
    ['a program not on PATH', ['wd-no-such-smoke-runner', '--all']],
    ['a path that does not exist', ['/nonexistent/smoke.sh']],
  ])('when %s then error: the setup, not the release, is broken', async (_what, command) => {
    const { smoke } = provider();
    const m = await run(smoke, spec(command));
    expect(m).toMatchObject({ phase: 'error', values: { attempts: 0 } });
    expect(m.detail).toMatch(/^smoke test could not start: .*not found/);
  });

  it('when the file is not executable then error', async () => {
    const path = await scripts.script('no-exec', 'exit 0');
    await chmod(path, 0o644);
    expect((await run(provider().smoke, spec([path]))).phase).toBe('error');
  });

  it('masks secrets from the spec env and the registry in evidence and detail', async () => {
    const secrets = new SecretRegistry();
    secrets.add('registry-secret-42');
    const bin = await scripts.script('leaky', 'echo "login with $E2E_PASSWORD"; echo "also registry-secret-42" >&2; exit 1');
    const { smoke } = provider(secrets);
    const m = await run(smoke, spec([bin], { retries: 0, env: { E2E_PASSWORD: 'hunter2-but-longer' } }));
    const everything = JSON.stringify(m);
    expect(everything).not.toContain('hunter2-but-longer');
    expect(everything).not.toContain('registry-secret-42');
    expect(m.evidence).toContain(`login with ${MASK}`);
  });

  it('passes PATH, HOME and the spec env, nothing else from the watchdog environment', async () => {
    process.env.WD_SMOKE_UNRELATED = 'leak';
    try {
      const bin = await scripts.script('env-check', '[ "$GREETING" = hello ] && [ -n "$PATH" ] && [ -z "$WD_SMOKE_UNRELATED" ]');
      expect((await run(provider().smoke, spec([bin], { env: { GREETING: 'hello' } }))).phase).toBe('successful');
    } finally {
      delete process.env.WD_SMOKE_UNRELATED;
    }
  });

  it('runs in cwd, where a relative program is looked up', async () => {
    await scripts.script('in-cwd.sh', `[ "$(pwd)" = "${scripts.dir}" ] && [ "$1" = "--flag" ]`);
    const m = await run(provider().smoke, spec(['./in-cwd.sh', '--flag'], { cwd: scripts.dir }));
    expect(m.phase).toBe('successful');
  });

  it('when cwd does not exist then error', async () => {
    const m = await run(provider().smoke, spec(['true'], { cwd: '/nonexistent/dir' }));
    expect(m).toMatchObject({ phase: 'error', detail: 'smoke test could not start: cwd /nonexistent/dir is not a directory' });
  });

  it('when aborted during the retry delay then inconclusive, never a throw', async () => {
    const bin = await scripts.script('fail-then-abort', 'exit 1');
    const { smoke, clock } = provider();
    const controller = new AbortController();
    const sleep = clock.sleep.bind(clock);
    clock.sleep = (ms, signal) => {
      controller.abort(new Error('shutdown'));
      return sleep(ms, signal);
    };
    expect(await run(smoke, spec([bin], { retries: 1 }), controller.signal)).toMatchObject({ phase: 'inconclusive', detail: 'smoke test aborted' });
  });
});
