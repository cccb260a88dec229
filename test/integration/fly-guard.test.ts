/**
 * The guard on what real Fly does (docs/fly-semantics.md), end to end: the real daemon against
 * the simulator's config-only releases, rollback deploys whose flyctl fails while Fly goes on,
 * reverted bluegreen deploys, releases stuck in running, and a partial partition.
 */
import { describe, expect, it } from 'vitest';
import { closeStacksAfterEach, ROLLBACK_OVER, Stack, type StackOptions } from './stack.ts';

const APP = 'renderflow-api';
let stack: Stack | undefined;
closeStacksAfterEach();

const flyDeploys = (s: Stack) => s.sim.invocations().filter((i) => i.argv[0] === 'deploy');

async function startGood(options: Partial<StackOptions> = {}): Promise<Stack> {
  stack = await Stack.start({ apps: [APP], ...options });
  await stack.daemon.waitForTarget(APP, (t) => t.phase === 'stable', 15_000, 'v1 marked good');
  return stack;
}

describe('a config-only release (fly secrets set) that breaks the app', () => {
  it('is held for a human: no image is rolled back or judged bad', async () => {
    const s = await startGood();
    const good = s.sim.currentImage(APP);
    s.sim.onSecret(APP, 'DATABASE_URL', 'down', 'postgres://wrong');
    s.sim.setSecrets(APP, { DATABASE_URL: 'postgres://wrong' });
    const { version } = await s.sim.configRelease(APP);
    const held = await s.daemon.waitForTarget(APP, (t) => ROLLBACK_OVER.includes(t.phase), 20_000, 'held');
    expect(held).toMatchObject({ phase: 'held', hold: { kind: 'config-change' } });
    expect(flyDeploys(s)).toEqual([]);
    expect(s.sim.currentImage(APP)).toBe(good);
    const releases = await s.daemon.releases(APP);
    expect(releases.find((r) => r.version === version)?.verdict).toBe('unknown');
    expect(releases.filter((r) => r.verdict === 'bad')).toEqual([]);
  });
});

describe('flyctl fails while Fly goes on deploying the rollback', () => {
  it.each([
    ['exits 126 at its deadline while the release rolls on', 'deadline', {}],
    ['hangs once the release exists (killed at its timeout)', 'hang-after-release', { flyTimeouts: { deploy: '3s' } }],
  ] as const)('%s: exactly one rollback deploy, verified, and its release never guarded', async (_label, mode, options) => {
    const s = await startGood(options);
    const good = s.sim.currentImage(APP);
    s.sim.injectFault({ command: 'deploy', mode, times: 1 });
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    const done = await s.daemon.waitForTarget(APP, (t) => ROLLBACK_OVER.includes(t.phase), 40_000, 'rollback');
    expect(done.phase).toBe('rolled-back');
    expect(flyDeploys(s)).toHaveLength(1);
    expect(s.sim.currentImage(APP)).toBe(good);
    expect(s.daemon.decisions(APP).filter((d) => d === 'guard-started')).toHaveLength(2); // v1 and the bad v2, never the rollback
  });
});

describe('deploys that did not go live the usual way', () => {
  it('a bluegreen deploy flyctl reverted: the old image still serves, nothing is guarded or rolled back', async () => {
    // The machines never change, so only a relist (or CI's announcement) lists the failed release.
    const s = await startGood({ relistEvery: '1s' });
    const good = s.sim.currentImage(APP);
    const { version } = await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'), { strategy: 'bluegreen' });
    await s.daemon.waitForLog((r) => r.decision === 'release-not-live' && r.version === version, 20_000, 'the reverted release noticed');
    expect((await s.daemon.target(APP)).phase).toBe('stable');
    expect(s.sim.currentImage(APP)).toBe(good);
    expect(flyDeploys(s)).toEqual([]);
  });

  it('a release stuck in running (the deploying flyctl killed) while machines run it: guarded past stuckAfter, and rolled back when bad', async () => {
    const s = await startGood({ guard: { stuckAfter: '2s' } });
    const good = s.sim.currentImage(APP);
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'), { outcome: 'stuck', wait: false });
    const done = await s.daemon.waitForTarget(APP, (t) => ROLLBACK_OVER.includes(t.phase), 30_000, 'rollback of the stuck release');
    expect(done.phase).toBe('rolled-back');
    expect(s.sim.currentImage(APP)).toBe(good);
    expect(flyDeploys(s)).toHaveLength(1);
  });
});

describe('a partial partition', () => {
  it("the app stops answering the watchdog while Fly's checks pass: held for a human, not rolled back", async () => {
    const s = await startGood();
    const { version } = await s.sim.deploy(APP, s.sim.buildImage(APP, 'healthy'));
    await s.daemon.waitForTarget(APP, (t) => t.phase === 'guarding' && t.guard?.version === version, 15_000, 'v2 guarded');
    await s.sim.setReachability(APP, 'refuse');
    const held = await s.daemon.waitForTarget(APP, (t) => ROLLBACK_OVER.includes(t.phase), 20_000, 'held');
    expect(held).toMatchObject({ phase: 'held', hold: { kind: 'evidence-conflict' } });
    expect(flyDeploys(s)).toEqual([]);
  });
});
