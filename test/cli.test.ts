import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const BIN = fileURLToPath(new URL('../bin/rollback-watchdog.js', import.meta.url));
const EXAMPLE = fileURLToPath(new URL('../config/watchdog.example.yaml', import.meta.url));

async function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [BIN, ...args], { env: { PATH: process.env.PATH } });
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
    expect(stdout).toContain('renderflow-api (app renderflow-api, production): 2 probe(s) [health, ready]');
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
