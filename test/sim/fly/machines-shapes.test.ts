/**
 * Items 4, 6 and 11 as `fly status --json` shows them: standbys and autostop (flyctl
 * deployCreateMachinesForGroups, launchInputForLaunch), reused tags and digests, and an app the
 * watchdog cannot reach while Fly's checks pass.
 */
import { request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.ts';
import { runFly } from '../helpers.ts';

type Machine = { id: string; state: string; image_ref: Record<string, string>; config: Record<string, any>; checks: Array<{ name: string; status: string }> };
const status = async (sim: Simulator, app: string) => (JSON.parse((await runFly(sim, ['status', '-a', app, '--json'])).stdout) as { Machines: Machine[] }).Machines;

describe('fake fly status: what machines look like', () => {
  let sim: Simulator;

  beforeAll(async () => {
    sim = await startSimulator({ deployMs: 50, requestRate: 0 });
    await sim.addApp('worker', { shape: 'worker' });
    await sim.addApp('web', { machines: 2, autostop: 'stop' });
  });
  afterAll(() => sim.close());

  it('a worker (no services): one started machine with its top-level check, one stopped standby for it', async () => {
    const machines = await status(sim, 'worker');
    const running = machines.find((m) => m.state === 'started')!;
    const standby = machines.find((m) => m.state === 'stopped')!;
    expect(running.config.services).toBeUndefined();
    expect(running.checks).toEqual([expect.objectContaining({ name: 'health', status: 'passing' })]);
    expect(standby.config.standbys).toEqual([running.id]);
    expect(standby.config.env).toEqual({ FLY_STANDBY_FOR: running.id });
    expect(standby.checks).toBeUndefined(); // never ran: fly-go omits the empty list
  });

  it('a deploy updates the standby without starting it', async () => {
    await sim.deploy('worker', sim.buildImage('worker', 'healthy'));
    const machines = await status(sim, 'worker');
    expect(machines.map((m) => [m.state, m.config.metadata.fly_release_version]).sort()).toEqual([['started', '2'], ['stopped', '2']]);
  });

  it('autostop shows on each machine\'s service; an idle machine stays stopped through a deploy', async () => {
    const [idle] = sim.stopIdle('web', 1);
    await sim.deploy('web', sim.buildImage('web', 'healthy'));
    const machines = await status(sim, 'web');
    expect(machines.map((m) => m.config.services[0].autostop)).toEqual([true, true]);
    expect(machines.find((m) => m.id === idle)?.state).toBe('stopped');
  });

  it('a reused tag is a new build; machines report the digest they run, and a deploy by digest has no tag', async () => {
    const v1 = sim.buildImage('web', 'healthy', { label: 'v1' });
    await sim.deploy('web', v1);
    const firstDigest = sim.imageDigest(v1);
    sim.buildImage('web', 'down', { label: 'v1' });
    expect(sim.imageDigest(v1)).not.toBe(firstDigest);
    expect((await status(sim, 'web')).map((m) => m.image_ref)).toContainEqual({ registry: 'registry.fly.io', repository: 'web', tag: 'v1', digest: firstDigest });
    const byDigest = `registry.fly.io/web@${firstDigest}`;
    expect((await runFly(sim, ['deploy', '--image', byDigest, '-a', 'web', '-y'])).exitCode).toBe(0);
    expect((await status(sim, 'web'))[0]?.image_ref).toEqual({ registry: 'registry.fly.io', repository: 'web', digest: firstDigest });
    expect(sim.releases('web')[0]).toMatchObject({ imageRef: byDigest, imageDigest: firstDigest });
  });

  it.each([
    ['refuse', (code: string | number) => expect(code).toBe('ECONNREFUSED')],
    ['blackhole', (code: string | number) => expect(code).toBe('UND_ERR_HEADERS_TIMEOUT')],
  ] as const)('a partial partition (%s): the watchdog gets no answer while Fly\'s checks pass', async (mode, expectCode) => {
    await sim.setReachability('web', mode);
    expectCode(await get(sim.appUrl('web')));
    for (const m of (await status(sim, 'web')).filter((x) => x.state === 'started')) expect(m.checks.every((c) => c.status === 'passing')).toBe(true);
    await sim.setReachability('web', 'open');
    expect(await get(sim.appUrl('web'))).toBe(200);
  });
});

async function get(url: string): Promise<number | string> {
  try {
    const res = await request(`${url}/api/v1/health`, { reset: true, headersTimeout: 300 });
    await res.body.dump();
    return res.statusCode;
  } catch (err) {
    return (err as { code?: string }).code ?? 'error';
  }
}
