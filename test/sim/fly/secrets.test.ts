/**
 * Item 3: config-only releases. `fly secrets set/unset/deploy` make a release with the same image
 * (flyctl secrets/secrets.go DeploySecrets → a restart-only deployment; deploy/machines.go setImg),
 * and a deploy of an older image keeps today's secrets.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.ts';
import { runFly } from '../helpers.ts';

async function health(url: string): Promise<number | string> {
  try {
    const res = await request(`${url}/api/v1/health`, { reset: true });
    await res.body.dump();
    return res.statusCode;
  } catch (err) {
    return (err as { code?: string }).code ?? 'error';
  }
}

describe('fake fly: secrets', () => {
  let sim: Simulator;
  let url: string;

  beforeAll(async () => {
    sim = await startSimulator({ deployMs: 50, requestRate: 0 });
    url = (await sim.addApp('api', { machines: 2 })).url;
    // What the test declares: this value of DATABASE_URL breaks the app, whatever its image.
    sim.onSecret('api', 'DATABASE_URL', 'down', 'postgres://wrong');
  });
  afterAll(() => sim.close());

  it('set makes a release with the same image; --stage makes none', async () => {
    const image = sim.currentImage('api');
    const staged = await runFly(sim, ['secrets', 'set', 'A=1', '--stage', '-a', 'api']);
    expect(staged.stdout).toBe('Secrets have been staged, but not set on VMs. Deploy or update machines in this app for the secrets to take effect.\n');
    expect(sim.releases('api')).toHaveLength(1);
    const set = await runFly(sim, ['secrets', 'set', 'B=2', '-a', 'api']);
    expect(set.exitCode).toBe(0);
    expect(sim.releases('api').slice(0, 2).map((r) => [r.version, r.status, r.imageRef])).toEqual([[2, 'complete', image], [1, 'complete', image]]);
  });

  it('a secret that breaks the app: a config-only release that is unhealthy, and a rollback to an older image keeps it', async () => {
    const old = sim.currentImage('api');
    await sim.deploy('api', sim.buildImage('api', 'healthy'));
    expect((await runFly(sim, ['secrets', 'set', 'DATABASE_URL=postgres://wrong', '-a', 'api'])).exitCode).toBe(0);
    expect(await health(url)).toBe('ECONNREFUSED');
    const status = JSON.parse((await runFly(sim, ['status', '-a', 'api', '--json'])).stdout) as { Machines: Array<{ state: string }> };
    expect(status.Machines.map((m) => m.state)).toEqual(['stopped', 'stopped']);
    // Rolling the image back does not bring back yesterday's secrets.
    await runFly(sim, ['deploy', '--image', old, '-a', 'api', '--yes']);
    expect(await health(url)).toBe('ECONNREFUSED');
    await runFly(sim, ['secrets', 'unset', 'DATABASE_URL', '-a', 'api']);
    expect(await health(url)).toBe(200);
  });

  it('secrets deploy releases what was staged; the harness makes the same kind of release', async () => {
    await runFly(sim, ['secrets', 'set', 'C=3', '--stage', '-a', 'api']);
    const before = sim.releases('api')[0]!.version;
    expect((await runFly(sim, ['secrets', 'deploy', '-a', 'api'])).exitCode).toBe(0);
    expect(sim.releases('api')[0]).toMatchObject({ version: before + 1, imageRef: sim.currentImage('api') });
    expect(await sim.configRelease('api')).toEqual({ version: before + 2, status: 'complete' });
  });

  it('set needs NAME=VALUE', async () => {
    expect((await runFly(sim, ['secrets', 'set', '-a', 'api'])).stderr).toBe('Error: requires at least 1 arg(s), only received 0\n');
    expect((await runFly(sim, ['secrets', 'set', 'NOVALUE', '-a', 'api'])).exitCode).toBe(1);
  });
});
