/** Rollback groups end to end: the worker fails, and API and worker both go back to the pair live before. */
import { afterEach, describe, expect, it } from 'vitest';
import { Stack } from './stack.ts';

let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

describe('rollback groups', () => {
  it('the worker fails: worker then API roll back to the releases that were live together before', async () => {
    stack = await Stack.start({
      apps: ['renderflow-worker', 'renderflow-api'],
      extraYaml: 'groups: [{ name: renderflow, targets: [renderflow-worker, renderflow-api], window: 1m }]',
    });
    const s = stack;
    for (const app of ['renderflow-worker', 'renderflow-api']) {
      await s.daemon.waitForTarget(app, (t) => t.phase === 'stable', 15_000, `${app} v1 good`);
    }
    const before = { api: s.sim.currentImage('renderflow-api'), worker: s.sim.currentImage('renderflow-worker') };
    // One commit ships both: a healthy API and a broken worker.
    await Promise.all([
      s.sim.deploy('renderflow-api', s.sim.buildImage('renderflow-api', 'healthy')),
      s.sim.deploy('renderflow-worker', s.sim.buildImage('renderflow-worker', 'down')),
    ]);
    const groupLog = () => s.daemon.records.filter((r) => r.group || r.decision).map((r) => JSON.stringify(r)).join('\n');
    await s.daemon
      .waitForTarget('renderflow-api', (t) => t.phase === 'rolled-back', 40_000, 'API rolled back with the group')
      .catch((err: Error) => Promise.reject(new Error(`${err.message}\n${groupLog()}`)));
    expect((await s.daemon.target('renderflow-worker')).phase).toBe('rolled-back');
    expect(s.sim.currentImage('renderflow-worker')).toBe(before.worker);
    expect(s.sim.currentImage('renderflow-api')).toBe(before.api);
    const deploys = s.sim.invocations().filter((i) => i.argv[0] === 'deploy').map((i) => i.argv[i.argv.indexOf('--app') + 1]);
    expect(deploys).toEqual(['renderflow-worker', 'renderflow-api']); // in the configured order, once each
  });
});
