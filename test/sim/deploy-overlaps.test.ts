/**
 * Deploy overlaps: a deploy of an app started while another of its deploys is still running. The
 * replica tests assert none ever happens (two replicas acting on one app at once would show here).
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { mulberry32 } from '../../src/sim/prng.ts';
import { userFor } from '../../src/sim/sim-backend.ts';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { SimWorld } from '../../src/sim/world.ts';

const CI = userFor('ci@example.com');
const DEPLOY_MS = 100;

describe('SimWorld.deployOverlaps', () => {
  let world: SimWorld;

  beforeEach(() => {
    vi.useFakeTimers({ now: Date.UTC(2025, 7, 12) });
    world = new SimWorld({ deployMs: DEPLOY_MS, now: () => Date.now(), rng: mulberry32(1) });
    world.createApp('api', 'healthy', 1, CI);
    world.createApp('web', 'healthy', 1, CI);
  });

  afterEach(() => {
    world.close();
    vi.useRealTimers();
  });

  it('when deploys follow one another then no overlap is counted', async () => {
    world.startDeploy('api', world.pushImage('api', 'healthy').ref, CI);
    await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    world.startDeploy('api', world.pushImage('api', 'healthy').ref, CI);
    await vi.advanceTimersByTimeAsync(DEPLOY_MS);
    expect(world.deployOverlaps('api')).toBe(0);
    expect(world.deployOverlaps()).toBe(0);
  });

  it('when a deploy starts while another of the same app runs then it counts once for that app only', async () => {
    world.startDeploy('api', world.pushImage('api', 'healthy').ref, CI);
    world.startDeploy('web', world.pushImage('web', 'healthy').ref, CI); // another app: not an overlap
    await vi.advanceTimersByTimeAsync(DEPLOY_MS / 2);
    world.startDeploy('api', world.pushImage('api', 'healthy').ref, CI);
    expect(world.releases('api').map((r) => r.status)).toEqual(['running', 'interrupted', 'complete']);
    expect(world.deployOverlaps('api')).toBe(1);
    expect(world.deployOverlaps('web')).toBe(0);
    // A third on top of the second (still running): another overlap.
    world.startDeploy('api', world.pushImage('api', 'healthy').ref, CI);
    expect(world.deployOverlaps('api')).toBe(2);
    expect(world.deployOverlaps()).toBe(2);
  });
});

describe('Simulator.deployOverlaps', () => {
  let sim: Simulator;

  afterEach(async () => {
    await sim?.close();
  });

  it('counts deploys made over a running one, through the harness', async () => {
    sim = await startSimulator({ deployMs: 5_000, seed: 3 });
    await sim.addApp('api');
    await sim.deploy('api', sim.buildImage('api', 'healthy'), { wait: false });
    expect(sim.deployOverlaps('api')).toBe(0);
    await sim.deploy('api', sim.buildImage('api', 'healthy'), { wait: false });
    expect(sim.deployOverlaps('api')).toBe(1);
    expect(sim.deployOverlaps('other')).toBe(0);
  });
});
