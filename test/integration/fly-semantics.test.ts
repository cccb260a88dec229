/**
 * The real daemon against the simulator, on what real Fly does that a rollback must respect
 * (docs/fly-semantics.md): the daemon runs from a checkout holding the watchdog's own fly.toml,
 * the current config's release command would fail in the old image, and a worker has a stopped
 * standby that Fly keeps stopped by design.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { closeStacksAfterEach, ROLLBACK_OVER, Stack } from './stack.ts';

let stack: Stack | undefined;
closeStacksAfterEach();

const flyDeploys = (s: Stack) => s.sim.invocations().filter((i) => i.argv[0] === 'deploy');

describe('rollbacks that put an image back and change nothing else', () => {
  it('from a checkout, past a release command the old image lacks: rolled back, flyctl in an empty dir with a minimal env', async () => {
    const app = 'renderflow-api';
    // FLY_REGION is set on every Fly machine; flyctl would filter `fly logs` by it.
    stack = await Stack.start({ apps: [app], env: { FLY_REGION: 'ams' } });
    const s = stack;
    await s.daemon.waitForTarget(app, (t) => t.phase === 'stable', 15_000, 'v1 marked good');
    // v2 is good, and built before the migration script existed.
    const good = s.sim.buildImage(app, 'healthy', { releaseCommandFails: true });
    const { version: v2 } = await s.sim.deploy(app, good);
    await s.daemon.waitForTarget(app, (t) => t.phase === 'stable' && t.current?.version === v2, 15_000, 'v2 marked good');
    // v3 is broken, and its fly.toml brings a release command.
    await s.sim.deploy(app, s.sim.buildImage(app, 'down'), { config: { releaseCommand: 'npm run migrate' } });
    const done = await s.daemon.waitForTarget(app, (t) => ROLLBACK_OVER.includes(t.phase), 30_000, 'rollback');
    expect(done.phase).toBe('rolled-back');
    expect(s.sim.currentImage(app)).toBe(good);
    expect(flyDeploys(s)).toHaveLength(1);
    for (const call of s.sim.invocations()) {
      expect(call.cwd).not.toBe(s.dir);
      expect(existsSync(join(call.cwd!, 'fly.toml'))).toBe(false);
      expect(call.env).toMatchObject({ FLY_SEND_METRICS: '0' });
      expect(call.env).not.toHaveProperty('FLY_REGION');
    }
  });
});

describe('a worker with a stopped standby, judged by Fly\'s machine checks', () => {
  it('a healthy deploy of renderflow-worker is marked good (the example config\'s probes)', async () => {
    const app = 'renderflow-worker';
    stack = await Stack.start({
      apps: [app],
      appOptions: { [app]: { shape: 'worker' } },
      probes: 'health-only',
      targetYaml: '\n      - { name: machines, type: platform-checks }',
    });
    const s = stack;
    expect(s.sim.machines(app).map((m) => [m.state, m.standbyFor.length > 0])).toContainEqual(['stopped', true]);
    await s.daemon.waitForTarget(app, (t) => t.phase === 'stable', 15_000, 'v1 marked good');
    const { version } = await s.sim.deploy(app, s.sim.buildImage(app, 'healthy'));
    await s.daemon.waitForTarget(app, (t) => t.phase === 'stable' && t.current?.version === version, 20_000, 'v2 marked good');
    expect((await s.daemon.releases(app))[0]).toMatchObject({ version, verdict: 'good' });
    expect(flyDeploys(s)).toEqual([]);
  });
});
