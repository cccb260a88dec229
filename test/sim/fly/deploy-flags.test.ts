/**
 * Item 2, simulator side: what a rollback deploy's flags change, as flyctl does it
 * (deploy/machines_deploymachinesapp.go deployMachinesApp, updateUsingImmediateStrategy;
 * deploy/machines.go determineAppConfigForMachines).
 */
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.ts';
import { runFly } from '../helpers.ts';

let sim: Simulator;
afterEach(() => sim?.close());

describe('fake fly deploy: release command, process groups, strategy', () => {
  it('runs the config\'s release_command in the deployed image; an old image without it fails the release, unless --skip-release-command', async () => {
    sim = await startSimulator({ deployMs: 50, requestRate: 0 });
    await sim.addApp('api');
    const old = sim.buildImage('api', 'healthy', { releaseCommandFails: true });
    // CI's fly.toml brings the release command with the new build.
    await sim.deploy('api', sim.buildImage('api', 'healthy'), { config: { releaseCommand: 'npm run migrate' } });
    const failed = await runFly(sim, ['deploy', '--image', old, '--app', 'api', '--yes']);
    expect(failed.exitCode).toBe(1);
    expect(failed.stdout).toContain('Running api release_command: npm run migrate\n');
    expect(failed.stderr).toMatch(/\nError: release command failed - aborting deployment\. machine [0-9a-f]{14} exited with non-zero status of 1\n$/);
    // The release exists, failed, with the old image; the machines never moved.
    expect(sim.releases('api')[0]).toMatchObject({ imageRef: old, status: 'failed' });
    expect(sim.currentImage('api')).not.toBe(old);
    const skipped = await runFly(sim, ['deploy', '--image', old, '--app', 'api', '--yes', '--skip-release-command']);
    expect(skipped.exitCode).toBe(0);
    expect(skipped.stdout).not.toContain('release_command');
    expect(sim.currentImage('api')).toBe(old);
  });

  it('recreates a process group scaled to zero, unless --update-only', async () => {
    sim = await startSimulator({ deployMs: 50, requestRate: 0 });
    await sim.addApp('api', { extraGroups: ['cron'] });
    sim.scale('api', 'cron', 0);
    const image = sim.buildImage('api', 'healthy');
    const onlyUpdate = await runFly(sim, ['deploy', '--image', image, '--app', 'api', '--yes', '--update-only']);
    expect(onlyUpdate.exitCode).toBe(0);
    expect(sim.machines('api').map((m) => m.processGroup)).toEqual(['app']);
    const plain = await runFly(sim, ['deploy', '--image', image, '--app', 'api', '--yes']);
    expect(plain.stdout).toContain('No machines in group cron, launching a new machine\n');
    expect(sim.machines('api').filter((m) => m.processGroup === 'cron').map((m) => m.state).sort()).toEqual(['started', 'stopped']);
  });

  it('immediate returns at once, whatever --wait-timeout says, with the release complete', async () => {
    sim = await startSimulator({ deployMs: 600_000, requestRate: 0 });
    await sim.addApp('api');
    const image = sim.buildImage('api', 'down');
    const { exitCode, stdout } = await runFly(sim, ['deploy', '--image', image, '--app', 'api', '--yes', '--strategy', 'immediate', '--wait-timeout', '10m']);
    expect(exitCode).toBe(0); // a down image too: nobody waited for its checks
    expect(stdout).toMatch(/^Machine [0-9a-f]{14} update succeeded$/m);
    expect(sim.releases('api')[0]).toMatchObject({ imageRef: image, status: 'complete' });
  });

  it('--strategy is written into the release\'s config: a later `fly secrets set` restarts with it', async () => {
    sim = await startSimulator({ deployMs: 50, requestRate: 0 });
    await sim.addApp('api');
    await runFly(sim, ['deploy', '--image', sim.buildImage('api', 'healthy'), '--app', 'api', '--yes', '--strategy', 'immediate']);
    const secrets = await runFly(sim, ['secrets', 'set', 'FEATURE=on', '--app', 'api']);
    expect(secrets.exitCode).toBe(0);
    expect(secrets.stdout).toContain("Updating existing machines in 'api' with immediate strategy\n");
  });
});
