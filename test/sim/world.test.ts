import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mulberry32 } from '../../src/sim/prng.ts';
import { userFor } from '../../src/sim/sim-backend.ts';
import { SimWorld, type WorldEvent, type WorldOptions } from '../../src/sim/world.ts';

const CI = userFor('ci@example.com');
const DEPLOY_MS = 100;

describe('SimWorld', () => {
  let world: SimWorld;
  let events: WorldEvent[];

  function makeWorld(opts: Partial<WorldOptions> = {}) {
    world = new SimWorld({ deployMs: DEPLOY_MS, now: () => Date.now(), rng: mulberry32(1), ...opts });
    events = [];
    world.onEvent((e) => events.push(e));
    return world;
  }

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2025, 7, 12) });
    makeWorld();
  });

  afterEach(() => {
    world.close();
    vi.useRealTimers();
  });

  it('creates an app running its image as v1, complete', () => {
    const app = world.createApp('api', 'healthy', 2, CI);
    expect(world.releases('api')).toEqual([
      expect.objectContaining({ version: 1, status: 'complete', imageRef: app.image.ref, description: 'Release', user: CI }),
    ]);
    expect(app.image.ref).toMatch(/^registry\.fly\.io\/api:deployment-[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(app.machines).toHaveLength(2);
    expect(app.machines.every((m) => m.releaseVersion === 1 && m.imageRef === app.image.ref)).toBe(true);
  });

  it('runs a deploy: vN+1 running, then complete after deployMs with the machines switched', async () => {
    world.createApp('api', 'healthy', 1, CI);
    const image = world.pushImage('api', 'errors:20');
    const release = world.startDeploy('api', image.ref, CI).release;
    expect(release).toMatchObject({ version: 2, status: 'running', imageRef: image.ref });
    expect(world.app('api').version).toBe(1);
    expect(world.app('api').machines[0]?.releaseVersion).toBe(1);

    await vi.advanceTimersByTimeAsync(DEPLOY_MS - 1);
    expect(world.release('api', release.id).status).toBe('running');
    await vi.advanceTimersByTimeAsync(1);
    expect(world.release('api', release.id).status).toBe('complete');
    expect(world.app('api').image.ref).toBe(image.ref);
    expect(world.app('api').machines[0]).toMatchObject({ releaseVersion: 2, imageRef: image.ref });
    expect(events.map((e) => e.type)).toEqual(['deploy-started', 'deploy-finished']);
  });

  it('rolls back by deploying the old image as a new release', async () => {
    const v1 = world.createApp('api', 'healthy', 1, CI).image.ref;
    world.startDeploy('api', world.pushImage('api', 'down').ref, CI).release;
    await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    const rollback = world.startDeploy('api', v1, userFor('watchdog@example.com')).release;
    await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    expect(world.releases('api').map((r) => [r.version, r.status, r.imageRef === v1])).toEqual([
      [3, 'complete', true],
      [2, 'complete', false],
      [1, 'complete', true],
    ]);
    expect(world.release('api', rollback.id).user.email).toBe('watchdog@example.com');
    expect(world.app('api').image.ref).toBe(v1);
  });

  it('refuses an image that is not in the registry without creating a release', () => {
    world.createApp('api', 'healthy', 1, CI);
    expect(() => world.startDeploy('api', 'registry.fly.io/api:deployment-NOPE', CI).release).toThrow(
      expect.objectContaining({ code: 'SIM_ERR_IMAGE_NOT_FOUND' }),
    );
    expect(() => world.startDeploy('ghost', 'x', CI)).toThrow(expect.objectContaining({ code: 'SIM_ERR_APP_NOT_FOUND' }));
    expect(world.releases('api')).toHaveLength(1);
  });

  it('interrupts a running deploy when a newer one starts', async () => {
    world.createApp('api', 'healthy', 1, CI);
    const first = world.startDeploy('api', world.pushImage('api', 'errors:50').ref, CI).release;
    const second = world.startDeploy('api', world.pushImage('api', 'healthy').ref, CI).release;
    expect(world.release('api', first.id).status).toBe('interrupted');
    await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    expect(world.release('api', second.id).status).toBe('complete');
    expect(world.app('api').version).toBe(3);
  });

  it('waitForRelease resolves on completion, or with the running release on timeout', async () => {
    world.createApp('api', 'healthy', 1, CI);
    const release = world.startDeploy('api', world.pushImage('api', 'healthy').ref, CI).release;
    const early = world.waitForRelease('api', release.id, 10);
    await vi.advanceTimersByTimeAsync(10);
    expect((await early).status).toBe('running');
    const done = world.waitForRelease('api', release.id, 60_000);
    await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    expect((await done).status).toBe('complete');
  });

  it('keeps the last 25 releases while versions keep counting', async () => {
    world.createApp('api', 'healthy', 1, CI);
    const image = world.pushImage('api', 'healthy').ref;
    for (let i = 0; i < 30; i++) {
      world.startDeploy('api', image, CI).release;
      await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    }
    const versions = world.releases('api').map((r) => r.version);
    expect(versions).toHaveLength(25);
    expect(versions[0]).toBe(31);
    expect(versions.at(-1)).toBe(7);
  });

  it('marks releases of unhealthy images failed when asked, still switching the machines', async () => {
    world.close();
    makeWorld({ failUnhealthyReleases: true });
    world.createApp('api', 'healthy', 1, CI);
    const down = world.pushImage('api', 'down').ref;
    const release = world.startDeploy('api', down, CI).release;
    await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    expect(world.release('api', release.id).status).toBe('failed');
    expect(world.app('api').image.ref).toBe(down);
  });
});
