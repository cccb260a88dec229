/**
 * Items 5 and 10: a deploy that fails after Fly created its release leaves that release behind
 * (flyctl deploy.go → NewMachineDeployment → createReleaseInBackend, then DeployMachinesApp ends
 * it), and a flyctl killed outright leaves it `running` for ever.
 */
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.ts';
import { EMPTY_DIR, runFly, waitFor } from '../helpers.ts';

describe('fake fly: deploy faults after the release exists', () => {
  let sim: Simulator;
  const deploy = (image: string, timeoutMs?: number) => runFly(sim, ['deploy', '--image', image, '-a', 'api', '--yes'], timeoutMs ? { timeoutMs } : {});
  const newest = () => sim.releases('api')[0]!;

  beforeAll(async () => {
    sim = await startSimulator({ deployMs: 300, requestRate: 0 });
    await sim.addApp('api');
  });
  afterAll(() => sim.close());

  it('release-failed: exit 1, the release is failed with the image, the machines never moved', async () => {
    const before = sim.currentImage('api');
    const image = sim.buildImage('api', 'healthy');
    sim.injectFault({ command: 'deploy', mode: 'release-failed' });
    const { exitCode, stderr } = await deploy(image);
    expect(exitCode).toBe(1);
    expect(stderr).toMatch(/Error: failed to update machine [0-9a-f]{14}: .*\(injected fault\)\n$/);
    expect(newest()).toMatchObject({ imageRef: image, status: 'failed', error: expect.stringContaining('injected fault') });
    expect(sim.currentImage('api')).toBe(before);
  });

  it('deadline: exit 126 at once; the release stays running, then completes', async () => {
    const image = sim.buildImage('api', 'healthy');
    sim.injectFault({ command: 'deploy', mode: 'deadline' });
    const { exitCode, stderr } = await deploy(image);
    expect(exitCode).toBe(126);
    expect(stderr).toMatch(/Error: context deadline exceeded\n$/);
    expect(newest()).toMatchObject({ imageRef: image, status: 'running' });
    await waitFor(() => newest().status === 'complete', { what: 'the release to complete' });
    expect(sim.currentImage('api')).toBe(image);
  });

  it('interrupted: exit 127, the release interrupted', async () => {
    const image = sim.buildImage('api', 'healthy');
    sim.injectFault({ command: 'deploy', mode: 'interrupted' });
    expect((await deploy(image)).exitCode).toBe(127);
    expect(newest()).toMatchObject({ imageRef: image, status: 'interrupted' });
  });

  it('killed: flyctl dies of SIGKILL; the machines go on to the new image and the release stays running for ever', async () => {
    const image = sim.buildImage('api', 'healthy');
    sim.injectFault({ command: 'deploy', mode: 'killed' });
    const run = await deploy(image);
    expect(run.signal).toBe('SIGKILL');
    await waitFor(() => sim.currentImage('api') === image, { what: 'the machines on the new image' });
    expect(newest()).toMatchObject({ imageRef: image, status: 'running' });
    expect(sim.machines('api').every((m) => m.releaseVersion === newest().version)).toBe(true);
  });

  it('hang-after-release: flyctl never returns, while Fly completes the release', async () => {
    const image = sim.buildImage('api', 'healthy');
    sim.injectFault({ command: 'deploy', mode: 'hang-after-release' });
    const pending = deploy(image, 1_500);
    await waitFor(() => newest().imageRef === image && newest().status === 'complete', { what: 'the release to complete' });
    const run = await pending;
    expect(run.timedOut).toBe(true);
    expect(newest()).toMatchObject({ imageRef: image, status: 'complete' });
  });

  it('SIGTERM while flyctl waits for the machines: it marks the release interrupted and exits 127', async () => {
    const slow = await startSimulator({ deployMs: 60_000, requestRate: 0 });
    try {
      await slow.addApp('api');
      const image = slow.buildImage('api', 'healthy');
      const child = execa(slow.flyBinary, ['deploy', '--image', image, '-a', 'api', '--yes'], { cwd: EMPTY_DIR, env: slow.flyEnv(), extendEnv: false, reject: false });
      // Fly may hold the release before flyctl has its id back; flyctl prints this line once it does.
      let printed = '';
      child.stdout?.on('data', (chunk: Buffer) => (printed += chunk.toString()));
      await waitFor(() => printed.includes('Watch your deployment'), { what: 'flyctl to hold its release' });
      child.kill('SIGTERM');
      expect((await child).exitCode).toBe(127);
      expect(slow.releases('api')[0]).toMatchObject({ imageRef: image, status: 'interrupted' });
    } finally {
      await slow.close();
    }
  });

  it('SIGTERM before any release, flyctl hung on the API: it traps the signal from the start (main.go newContext) and exits 127', async () => {
    const image = sim.buildImage('api', 'healthy');
    const releasesBefore = sim.releases('api').length;
    sim.injectFault({ command: 'deploy', mode: 'hang' });
    const child = execa(sim.flyBinary, ['deploy', '--image', image, '-a', 'api', '--yes'], { cwd: EMPTY_DIR, env: sim.flyEnv(), extendEnv: false, reject: false });
    await waitFor(() => sim.invocations().some((i) => i.argv.includes(image)), { what: 'flyctl to start' });
    child.kill('SIGTERM');
    const run = await child;
    expect(run.signal).toBeUndefined();
    expect(run.exitCode).toBe(127);
    expect(sim.releases('api')).toHaveLength(releasesBefore);
  });

  it('deploy-only modes are refused for other commands', async () => {
    const res = await fetch(`${sim.controlUrl}/faults`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ command: 'status', mode: 'killed' }) });
    expect(res.status).toBe(400);
  });
});
