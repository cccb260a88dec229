/** `fly deploy` through the fake fly: markers, the release line, rollback, waits and failures. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { runFly } from './helpers.ts';

describe('fake fly: deploy', () => {
  let sim: Simulator;
  let v1: string;

  beforeAll(async () => {
    sim = await startSimulator({ deployMs: 100, requestRate: 0, cliUser: 'watchdog@example.com' });
    v1 = (await sim.addApp('api', { profile: 'healthy', machines: 2 })).imageRef;
    await sim.addApp('slowdeploy', { profile: 'healthy' });
  });

  afterAll(async () => {
    await sim.close();
  });

  it('deploys an image: flyctl markers, release JSON, a complete release', async () => {
    const bad = sim.buildImage('api', 'errors:50');
    await sim.deploy('api', bad);
    sim.clearInvocations();
    const { exitCode, stdout, stderr } = await runFly(sim, ['deploy', '--image', v1, '--app', 'api', '--yes', '--strategy', 'immediate', '--wait-timeout', '30s'], {
      env: { FLY_EMIT_RELEASE_JSON: '1' },
    });
    expect(exitCode).toBe(0);
    expect(stderr).toMatch(new RegExp(`^Searching for image '${v1.replace(/[.]/g, '\\.')}' remotely\\.\\.\\.\\nimage found: img_[0-9a-z]{16}\\n$`));
    expect(stdout).toContain("Updating existing machines in 'api' with immediate strategy\n");
    // immediate waits for no machine (updateUsingImmediateStrategy): told, not in a good state.
    expect(stdout.match(/^Machine [0-9a-f]{14} update succeeded$/gm)).toHaveLength(2);
    expect(stdout).not.toContain('good state');
    expect(stdout).toContain('Visit your newly deployed app at https://api.fly.dev/\n');
    const last = stdout.trimEnd().split('\n').at(-1) ?? '';
    expect(JSON.parse(last)).toEqual({ id: expect.any(String), version: 3, image_ref: v1 });
    expect(Object.keys(JSON.parse(last) as object)).toEqual(['id', 'version', 'image_ref']);

    // The rollback is just a new release that carries the old image.
    expect(sim.releases('api').slice(0, 3).map((r) => [r.version, r.status, r.imageRef, r.user])).toEqual([
      [3, 'complete', v1, 'watchdog@example.com'],
      [2, 'complete', bad, 'ci@example.com'],
      [1, 'complete', v1, 'ci@example.com'],
    ]);
    expect(sim.currentImage('api')).toBe(v1);
    expect(sim.invocations().filter((i) => i.argv[0] === 'deploy')).toHaveLength(1);
  });

  it('prints no release JSON without FLY_EMIT_RELEASE_JSON; without --strategy, uses the one the last deploy stored', async () => {
    const { exitCode, stdout } = await runFly(sim, ['deploy', '-i', v1, '-a', 'api', '-y']);
    expect(exitCode).toBe(0);
    // The previous test's `--strategy immediate` went into its release's config
    // (deploy/machines.go determineAppConfigForMachines), and config-less deploys read it.
    expect(stdout).toContain("with immediate strategy");
    expect(stdout).not.toContain('"image_ref"');
  });

  it('fails an unknown image like flyctl and creates no release', async () => {
    const before = sim.releases('api').length;
    const { exitCode, stdout, stderr } = await runFly(sim, ['deploy', '--image', 'registry.fly.io/api:deployment-GONE', '-a', 'api', '-y']);
    expect(exitCode).toBe(1);
    expect(stdout).toBe('');
    expect(stderr).toBe(
      "Searching for image 'registry.fly.io/api:deployment-GONE' remotely...\n" +
        'Error: failed to fetch an image or build from source: Could not find image "registry.fly.io/api:deployment-GONE"\n',
    );
    expect(sim.releases('api')).toHaveLength(before);
  });

  it('fails an unknown app', async () => {
    const { exitCode, stderr } = await runFly(sim, ['deploy', '--image', v1, '-a', 'ghost', '-y']);
    expect({ exitCode, stderr }).toEqual({ exitCode: 1, stderr: 'Error: Could not find App "ghost"\n' });
  });

  it('--detach returns while the release is still running', async () => {
    const slow = await startSimulator({ deployMs: 3000, requestRate: 0 });
    try {
      await slow.addApp('api');
      const image = slow.buildImage('api', 'healthy');
      const { exitCode, stdout } = await runFly(slow, ['deploy', '--image', image, '-a', 'api', '--detach'], { env: { FLY_EMIT_RELEASE_JSON: '1' } });
      expect(exitCode).toBe(0);
      expect(stdout).not.toContain('good state');
      expect(slow.releases('api')[0]).toMatchObject({ version: 2, status: 'running' });
    } finally {
      await slow.close();
    }
  });

  it('fails after --wait-timeout like a health-check timeout, and ends the release failed as flyctl does', async () => {
    const slow = await startSimulator({ deployMs: 3000, requestRate: 0 });
    try {
      await slow.addApp('api');
      const image = slow.buildImage('api', 'healthy');
      const { exitCode, stderr } = await runFly(slow, ['deploy', '--image', image, '-a', 'api', '--wait-timeout', '300ms']);
      expect(exitCode).toBe(1);
      expect(stderr).toMatch(/\nError: timeout reached waiting for health checks to pass for machine [0-9a-f]{14}\n$/);
      expect(slow.releases('api')[0]).toMatchObject({ status: 'failed', error: expect.stringMatching(/^timeout reached/) });
    } finally {
      await slow.close();
    }
  });
});
