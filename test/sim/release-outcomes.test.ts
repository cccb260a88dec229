/**
 * Items 9 and 10 in the world, on a fake clock: how releases end when flyctl reverts a bluegreen
 * deploy (strategy_bluegreen.go Rollback), and when nobody ends them (CI's flyctl killed).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mulberry32 } from '../../src/sim/prng.ts';
import { userFor } from '../../src/sim/sim-backend.ts';
import { SimWorld } from '../../src/sim/world.ts';

const CI = userFor('ci@example.com');
const DEPLOY_MS = 100;

describe('release outcomes', () => {
  let world: SimWorld;

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2025, 7, 12) });
    world = new SimWorld({ deployMs: DEPLOY_MS, now: () => Date.now(), rng: mulberry32(1) });
  });
  afterEach(() => {
    world.close();
    vi.useRealTimers();
  });

  it('bluegreen with an image that fails its checks: the release fails and the old image keeps running', async () => {
    const old = world.createApp('api', 'healthy', 2, CI).image.ref;
    const { release } = world.startDeploy('api', world.pushImage('api', 'down').ref, CI, { strategy: 'bluegreen' });
    await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    expect(world.release('api', release.id)).toMatchObject({ status: 'failed', error: 'could not get all green machines to be healthy' });
    expect(world.app('api').image.ref).toBe(old);
    expect(world.app('api').machines.every((m) => m.releaseVersion === 1)).toBe(true);
  });

  it('bluegreen with a healthy image completes', async () => {
    world.createApp('api', 'healthy', 1, CI);
    const image = world.pushImage('api', 'healthy').ref;
    const { release } = world.startDeploy('api', image, CI, { strategy: 'bluegreen' });
    await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    expect(world.release('api', release.id).status).toBe('complete');
    expect(world.app('api').image.ref).toBe(image);
  });

  it('stuck: the machines run the new image and the release stays running for ever', async () => {
    world.createApp('api', 'healthy', 2, CI);
    const image = world.pushImage('api', 'healthy').ref;
    const { release } = world.startDeploy('api', image, CI, { outcome: 'stuck' });
    await vi.advanceTimersByTimeAsync(DEPLOY_MS * 1000);
    expect(world.release('api', release.id).status).toBe('running');
    expect(world.app('api').machines.every((m) => m.imageRef === image && m.releaseVersion === release.version)).toBe(true);
    expect(world.app('api').version).toBe(release.version);
  });

  it.each(['failed', 'interrupted'] as const)('%s: the release ends so and the machines never move', async (outcome) => {
    const old = world.createApp('api', 'healthy', 1, CI).image.ref;
    const { release } = world.startDeploy('api', world.pushImage('api', 'healthy').ref, CI, { outcome });
    await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    expect(world.release('api', release.id).status).toBe(outcome);
    expect(world.app('api').image.ref).toBe(old);
  });

  it('a config-only release keeps the image and stores today\'s secrets', async () => {
    const image = world.createApp('api', 'healthy', 1, CI).image.ref;
    world.setSecrets('api', { A: '1' });
    const release = world.restart('api', CI);
    await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    expect(world.release('api', release.id)).toMatchObject({ status: 'complete', imageRef: image, secrets: { A: '1' }, version: 2 });
  });

  it('a deploy by digest runs exactly that build, after its tag moved on', async () => {
    world.createApp('api', 'healthy', 1, CI);
    const first = world.pushImage('api', 'healthy', { label: 'v1' });
    const second = world.pushImage('api', 'down', { label: 'v1' });
    expect(second.ref).toBe(first.ref);
    expect(second.digest).not.toBe(first.digest);
    expect(world.image('registry.fly.io/api:v1')).toBe(second);
    const byDigest = `registry.fly.io/api@${first.digest}`;
    const { release } = world.startDeploy('api', byDigest, CI);
    await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    expect(world.release('api', release.id)).toMatchObject({ imageRef: byDigest, imageDigest: first.digest, status: 'complete' });
    expect(world.app('api').profile.kind).toBe('healthy');
    expect(() => world.startDeploy('api', `registry.fly.io/other@${first.digest}`, CI)).toThrow(expect.objectContaining({ code: 'SIM_ERR_IMAGE_NOT_FOUND' }));
  });
});
