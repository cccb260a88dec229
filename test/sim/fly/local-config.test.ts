/** Item 1: the fake fly reads ./fly.toml as flyctl does, and `fly deploy` deploys it (flyctl command.go, deploy.go). */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.ts';
import { runFly } from '../helpers.ts';

const WATCHDOG_FLY_TOML = new URL('../../../fly.toml', import.meta.url);

function dirWith(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), 'fly-toml-'));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

const FOREIGN = `app = "other-app"
[env]
  MODE = "other"
[processes]
  web = "node server.js"
[http_service]
  internal_port = 8080
  auto_stop_machines = "stop"
  processes = ["web"]
[checks.alive]
  type = "http"
  port = 8080
  path = "/healthz"
  processes = ["web"]
`;

describe('fake fly: a fly.toml in the working directory', () => {
  let sim: Simulator;
  let v2: string;

  beforeAll(async () => {
    sim = await startSimulator({ deployMs: 50, requestRate: 0 });
    await sim.addApp('api', { machines: 2 });
    v2 = sim.buildImage('api', 'healthy');
  });
  afterAll(() => sim.close());

  it("the watchdog's own fly.toml: a deploy to another app fails on its volume mount, before any release", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'checkout-'));
    copyFileSync(WATCHDOG_FLY_TOML, join(dir, 'fly.toml'));
    const before = sim.releases('api').length;
    const { exitCode, stderr } = await runFly(sim, ['deploy', '--image', v2, '--app', 'api', '--yes'], { cwd: dir });
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/Error: Process group 'app' needs volumes with name 'watchdog_data' to fulfill mounts defined in fly\.toml; Run `fly volume create watchdog_data -r REGION -n COUNT` for the following regions and counts: iad=1 ord=1\n$/);
    expect(sim.releases('api')).toHaveLength(before);
    // The read commands still work: --app wins over the file's app (RequireAppName).
    expect((await runFly(sim, ['releases', '--app', 'api', '--json'], { cwd: dir })).exitCode).toBe(0);
  });

  it('a foreign fly.toml without mounts replaces the target\'s config: groups, services, checks, env', async () => {
    const dir = dirWith({ 'fly.toml': FOREIGN });
    const { exitCode, stdout } = await runFly(sim, ['deploy', '--image', v2, '--app', 'api', '--yes'], { cwd: dir });
    expect(exitCode).toBe(0);
    // Group `app` is not in the config: its machines are destroyed and `web` gets new ones.
    expect(stdout).toContain('Process groups have changed. This will:\n * destroy 2 machines\n');
    expect(stdout).toContain('No machines in group web, launching a new machine\n');
    const status = JSON.parse((await runFly(sim, ['status', '--app', 'api', '--json'])).stdout) as { Machines: Array<{ config: Record<string, any>; checks: Array<{ name: string; status: string }> }> };
    expect(status.Machines).toHaveLength(2);
    for (const m of status.Machines) {
      expect(m.config.metadata.fly_process_group).toBe('web');
      expect(m.config.env).toEqual({ MODE: 'other' });
      expect(m.config.services[0].autostop).toBe(true);
      expect(m.checks.find((c) => c.name === 'alive')).toMatchObject({ status: 'critical' }); // the app serves no /healthz
    }
  });

  it('names the app when neither --app nor FLY_APP does', async () => {
    const dir = dirWith({ 'fly.toml': 'app = "api"\n' });
    const { exitCode, stdout } = await runFly(sim, ['releases', '--json'], { cwd: dir });
    expect(exitCode).toBe(0);
    expect(JSON.parse(stdout)).not.toHaveLength(0);
  });

  it('a fly.toml that does not parse fails every command that needs an app', async () => {
    const dir = dirWith({ 'fly.toml': 'app = "api\n' });
    const { exitCode, stderr } = await runFly(sim, ['releases', '--app', 'api', '--json'], { cwd: dir });
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(new RegExp(`^Error: failed loading app config from ${join(dir, 'fly.toml')}: `));
  });

  it('-c names the file; a missing one is an error', async () => {
    const dir = dirWith({ 'deploy.toml': 'app = "api"\n' });
    expect((await runFly(sim, ['status', '--json', '-c', 'deploy.toml'], { cwd: dir })).exitCode).toBe(0);
    const missing = await runFly(sim, ['status', '--json', '--app', 'api', '-c', 'nope.toml'], { cwd: dir });
    expect(missing.stderr).toBe(`Error: config file not found at specified path: ${join(dir, 'nope.toml')} (also tried: ${join(dir, 'nope.toml', 'fly.toml')})\n`);
  });

  it('logs where each invocation ran and its FLY_* variables, never the token', async () => {
    const dir = dirWith({});
    sim.clearInvocations();
    await runFly(sim, ['releases', '--app', 'api', '--json'], { cwd: dir, env: { FLY_SEND_METRICS: '0' } });
    const [call] = sim.invocations();
    expect(call).toMatchObject({ cwd: dir, env: expect.objectContaining({ FLY_SEND_METRICS: '0' }) });
    expect(JSON.stringify(call)).not.toContain('sim-token');
  });
});
