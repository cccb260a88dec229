import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { guardingV2, image, OPERATOR, VIEWER } from './admin/harness.ts';
import { serve, type Served } from './client/client-harness.ts';

const BIN = fileURLToPath(new URL('../bin/rollback-watchdog.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../config/watchdog.example.yaml', import.meta.url));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return cliWith({}, ...args);
}

async function cliWith(env: Record<string, string>, ...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH, ...env } });
    return { code: 0, stdout, stderr };
  } catch (err) {
    const e = err as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe('rollback-watchdog CLI', () => {
  it('check-config accepts the example config and lists the variables it needs at run time', async () => {
    const { code, stdout } = await cli('check-config', EXAMPLE);
    expect(code).toBe(0);
    expect(stdout).toContain('renderflow-api (app renderflow-api, production): 3 probe(s) [health, ready, smoke]');
    expect(stdout).toContain('error rate from prometheus');
    expect(stdout).toContain('group renderflow: renderflow-worker → renderflow-api');
    expect(stdout).toContain('notifications: oncall-slack (slack), pager (pagerduty)');
    expect(stdout).toContain('FLY_API_TOKEN (platform.fly.apiToken)');
  });

  it('check-config exits 2 naming each bad field', async () => {
    const bad = join(mkdtempSync(join(tmpdir(), 'wd-cli-')), 'bad.yaml');
    writeFileSync(
      bad,
      `defaults: { guard: { probeInterval: -5s } }
targets:
  - name: api
    colour: blue
    probes: [{ name: health, url: "not a url" }]
`,
    );
    const { code, stderr } = await cli('check-config', bad);
    expect(code).toBe(2);
    expect(stderr).toContain('defaults.guard.probeInterval: expected a positive duration');
    expect(stderr).toContain('targets[0].colour: unknown key');
    expect(stderr).toContain('targets[0].probes[0].url: Invalid URL');
  });

  it.each([
    [['check-config'], 'missing FILE'],
    [['check-config', '/nonexistent.yaml'], 'Cannot read config file /nonexistent.yaml: ENOENT'],
    [['frobnicate'], 'unknown command: frobnicate'],
    [['run', '--bogus'], "Unknown option '--bogus'"],
  ])('%j exits 2 with a clear message', async (args, message) => {
    const { code, stderr } = await cli(...args);
    expect(code).toBe(2);
    expect(stderr).toContain(message);
  });
});

// The operator commands as an operator runs them: the real binary against a daemon listening here.
describe('rollback-watchdog operator commands (exit codes)', () => {
  let daemon: Served;
  beforeAll(async () => {
    daemon = await serve();
    await guardingV2(daemon);
  });
  afterAll(() => daemon.close());
  const as = (token: string) => ({ ROLLBACK_WATCHDOG_URL: daemon.url, ROLLBACK_WATCHDOG_TOKEN: token });

  it('exits 0 and prints a table', async () => {
    const { code, stdout } = await cliWith(as(VIEWER), 'status');
    expect(code).toBe(0);
    expect(stdout).toMatch(/api\s+production\s+guarding/);
  });

  it('exits 1 with the API code when the daemon refuses', async () => {
    const { code, stderr } = await cliWith(as(VIEWER), 'pause', 'api');
    expect(code).toBe(1);
    expect(stderr).toContain('pause refused: WD_ERR_FORBIDDEN');
  });

  it('exits 1 when the gate has not passed, 0 when it has', async () => {
    expect((await cliWith(as(VIEWER), 'gate', 'api', image(2))).code).toBe(1);
    expect((await cliWith(as(VIEWER), 'gate', 'api', image(1))).code).toBe(0);
  });

  it('exits 2 on a usage error, without echoing option values', async () => {
    const { code, stderr } = await cliWith(as(OPERATOR), 'rollback', 'api', '--token', 'sekrit-value-0123456789');
    expect(code).toBe(2);
    expect(stderr).toContain("Unknown option '--token'");
    expect(stderr).not.toContain('sekrit-value');
  });

  it('exits 3 when no daemon answers', async () => {
    const { code, stderr } = await cliWith({ ROLLBACK_WATCHDOG_URL: 'http://127.0.0.1:1' }, 'status');
    expect(code).toBe(3);
    expect(stderr).toContain('Cannot reach the watchdog at http://127.0.0.1:1');
  });

  it('lists the operator commands in the usage text', async () => {
    const { code, stdout } = await cli('--help');
    expect(code).toBe(0);
    expect(stdout).toContain('rollback TARGET [--to VERSION | --image REF]');
  });
});
