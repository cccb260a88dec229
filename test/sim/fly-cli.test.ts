/**
 * The fake fly as a separate process against an in-process simulator: flyctl's output formats,
 * errors and exit codes for the read commands.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { runFly } from './helpers.ts';

describe('fake fly: read commands', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ deployMs: 50, requestRate: 40 });
    await sim.addApp('api', { profile: 'healthy', machines: 2 });
    await sim.deploy('api', sim.buildImage('api', 'unready'));
  });

  afterAll(async () => {
    await sim.close();
  });

  it('releases --json prints Release structs, 4-space indent, newest first', async () => {
    const { exitCode, stdout, stderr } = await runFly(sim, ['releases', '--app', 'api', '--json']);
    expect({ exitCode, stderr }).toEqual({ exitCode: 0, stderr: '' });
    const releases = JSON.parse(stdout) as Array<Record<string, unknown>>;
    expect(releases.map((r) => [r.Version, r.Status, r.ImageRef])).toEqual(sim.releases('api').map((r) => [r.version, r.status, r.imageRef]));
    expect(Object.keys(releases[0] ?? {})).toEqual([
      'ID', 'Version', 'Stable', 'InProgress', 'Reason', 'Description', 'Status',
      'DeploymentStrategy', 'Metadata', 'User', 'EvaluationID', 'CreatedAt', 'ImageRef',
    ]);
    expect(stdout.startsWith('[\n    {\n        "ID": "')).toBe(true);
    expect(stdout.endsWith('\n]\n')).toBe(true);
    expect(releases[0]?.CreatedAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
  });

  it('releases prints a borderless table with upper-case headers and a trailing blank line', async () => {
    const { exitCode, stdout } = await runFly(sim, ['releases', '-a', 'api', '--image']);
    expect(exitCode).toBe(0);
    const lines = stdout.split('\n');
    expect(lines[0]).toMatch(/^VERSION\tSTATUS +\tDESCRIPTION\tUSER +\tDATE +\tDOCKER IMAGE +$/);
    expect(lines[1]).toMatch(/^v2 +\tcomplete\tRelease +\tci@example\.com\t(just now|\d+s ago) *\tregistry\.fly\.io\/api:deployment-/);
    expect(lines[2]).toMatch(/^v1 /);
    expect(stdout.endsWith('\t\n\n')).toBe(true);
  });

  it('status --json has alphabetical keys and fly-go machines with checks from the profile', async () => {
    const { exitCode, stdout } = await runFly(sim, ['status', '--app', 'api', '--json']);
    expect(exitCode).toBe(0);
    const status = JSON.parse(stdout) as { Version: number; Machines: Array<Record<string, any>> };
    const keys = Object.keys(status);
    expect(keys).toEqual([...keys].sort());
    expect(status.Version).toBe(2);
    expect(status.Machines).toHaveLength(2);
    const ids = status.Machines.map((m) => m.id as string);
    expect(ids).toEqual([...ids].sort().reverse());
    const [machine] = status.Machines;
    expect(machine?.config.metadata.fly_release_version).toBe('2');
    expect(`${machine?.image_ref.registry}/${machine?.image_ref.repository}:${machine?.image_ref.tag}`).toBe(sim.currentImage('api'));
    // unready: the health check passes, the readiness check does not.
    expect(machine?.checks.map((c: { status: string }) => c.status)).toEqual(['passing', 'critical']);
    expect(machine).toMatchObject({ host_status: 'ok', cordoned: false, state: 'started' });
  });

  it('machine list --json prints the machines', async () => {
    const { exitCode, stdout } = await runFly(sim, ['machine', 'list', '-a', 'api', '--json']);
    expect(exitCode).toBe(0);
    expect((JSON.parse(stdout) as unknown[]).length).toBe(2);
  });

  it('logs --no-tail prints flyctl text lines, runner lines from the deploy included', async () => {
    const { exitCode, stdout } = await runFly(sim, ['logs', '--app', 'api', '--no-tail']);
    expect(exitCode).toBe(0);
    const lines = stdout.trimEnd().split('\n');
    for (const line of lines) expect(line).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ (app|runner)\[[0-9a-f]{14}\] [a-z]{3} \[(info|warn|error)\]/);
    expect(stdout).toMatch(/runner\[[0-9a-f]{14}\] [a-z]{3} \[info\]Pulling container image registry\.fly\.io\/api:deployment-/);
  });

  it('logs --json prints concatenated indented entries', async () => {
    const { exitCode, stdout } = await runFly(sim, ['logs', '-a', 'api', '--no-tail', '--json']);
    expect(exitCode).toBe(0);
    const docs = stdout.split(/(?<=^\})\n(?=\{)/m).map((doc) => JSON.parse(doc) as Record<string, unknown>);
    expect(docs.length).toBeGreaterThan(3);
    expect(Object.keys(docs[0] ?? {})).toEqual(['level', 'instance', 'message', 'region', 'timestamp', 'meta']);
  });

  it('logs without --no-tail keeps following until killed; --region filters', async () => {
    const { stdout, timedOut } = await runFly(sim, ['logs', '-a', 'api', '--region', 'iad'], { timeoutMs: 700 });
    expect(timedOut).toBe(true);
    const lines = stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(3);
    expect(lines.every((l) => / iad \[/.test(l))).toBe(true);
  });

  it.each([
    ['no token', ['releases', '-a', 'api'], { FLY_API_TOKEN: '' }, "Error: no access token available. Please login with 'flyctl auth login'\n"],
    ['an unknown flag', ['releases', '-a', 'api', '--x'], {}, 'Error: unknown flag: --x\n'],
    ['an unknown app', ['releases', '-a', 'ghost', '--json'], {}, 'Error: failed retrieving app releases ghost: Could not find App "ghost"\n'],
    ['no app', ['status', '--json'], {}, 'Error: the config for your app is missing an app name, add an app field to the fly.toml file or specify with the -a flag\n'],
  ])('%s: Error: on stderr, exit 1, nothing on stdout', async (_, args, env, stderr) => {
    const result = await runFly(sim, args, { env });
    expect(result).toMatchObject({ exitCode: 1, stdout: '', stderr });
  });

  it('takes the token from FLY_ACCESS_TOKEN too', async () => {
    const { exitCode } = await runFly(sim, ['releases', '-a', 'api'], { env: { FLY_API_TOKEN: '', FLY_ACCESS_TOKEN: 'tok' } });
    expect(exitCode).toBe(0);
  });

  it('logs every invocation, failed ones included, before acting', async () => {
    sim.clearInvocations();
    await runFly(sim, ['releases', '-a', 'api', '--bogus']);
    await runFly(sim, ['status', '-a', 'api', '--json'], { env: { FLY_API_TOKEN: '' } });
    expect(sim.invocations().map((i) => i.argv)).toEqual([
      ['releases', '-a', 'api', '--bogus'],
      ['status', '-a', 'api', '--json'],
    ]);
  });
});

describe('fake fly: started by an older Node', () => {
  const oldNode = ['/usr/bin/node', '/usr/local/bin/node'].find((p) => existsSync(p) && !execFileSync(p, ['-p', 'process.features.typescript']).toString().includes('strip'));

  it.skipIf(!oldNode)('re-runs itself with the project Node', async () => {
    const sim = await startSimulator({ requestRate: 0 });
    try {
      await sim.addApp('api');
      const { exitCode, stdout } = await runFly(sim, ['releases', '-a', 'api', '--json'], { env: { PATH: '/usr/bin:/bin:/usr/local/bin' } });
      expect(exitCode).toBe(0);
      expect(JSON.parse(stdout)).toHaveLength(1);
    } finally {
      await sim.close();
    }
  });
});
