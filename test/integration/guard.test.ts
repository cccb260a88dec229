/**
 * The real daemon process against the local Fly simulator: the foundation's end-to-end scenarios.
 * Intervals are shrunk (200 ms probes, 2 s windows); waits poll for a condition with a deadline.
 */
import { describe, expect, it } from 'vitest';
import { closeStacksAfterEach, ROLLBACK_OVER, Stack, TOKEN } from './stack.ts';

const APP = 'renderflow-api';
let stack: Stack | undefined;
closeStacksAfterEach();

/** Starts the stack and waits until v1 (running at start) passed its guard. */
async function startWithGoodV1(): Promise<Stack> {
  stack = await Stack.start({ apps: [APP] });
  await stack.daemon.waitForTarget(APP, (t) => t.phase === 'stable', 15_000, 'v1 marked good');
  return stack;
}

const flyDeploys = (s: Stack) => s.sim.invocations().filter((i) => i.argv[0] === 'deploy');

describe('guarding deploys end to end', () => {
  it('a good deploy: no action, and the release is marked good after its window', async () => {
    const s = await startWithGoodV1();
    const image = s.sim.buildImage(APP, 'healthy');
    const { version } = await s.sim.deploy(APP, image);
    await s.daemon.waitForTarget(APP, (t) => t.guard?.version === version, 10_000, 'guard of v2');
    await s.daemon.waitForTarget(APP, (t) => t.phase === 'stable' && t.current?.version === version, 15_000, 'v2 good');
    const [v2] = await s.daemon.releases(APP);
    expect(v2).toMatchObject({ version, verdict: 'good', origin: 'deploy' });
    expect(flyDeploys(s)).toEqual([]);
  });

  it('between deploys, polls read the Machines API and start no flyctl; a deploy is still seen at the next poll', async () => {
    const s = await startWithGoodV1();
    const listings = () => s.sim.invocations().filter((i) => i.argv[0] === 'releases').length;
    const polls = () => s.daemon.metric('rollback_watchdog_release_polls_total');
    const before = { listings: listings(), polls: await polls() };
    await s.daemon.waitUntil(async () => (await polls()) >= before.polls + 3, 10_000, 'three more polls');
    expect(listings()).toBe(before.listings);
    expect(await s.daemon.metric('rollback_watchdog_release_polls_total{result="unchanged"}')).toBeGreaterThanOrEqual(3);
    const { version } = await s.sim.deploy(APP, s.sim.buildImage(APP, 'healthy'));
    await s.daemon.waitForTarget(APP, (t) => t.guard?.version === version, 5_000, 'guard of v2');
    expect(listings()).toBeGreaterThan(before.listings);
  });

  it.each([
    ['down', /connection refused/],
    ['unready', /ready failed 3× in a row \(503/],
  ])('a %s deploy is rolled back to the previous image and verified', async (profile, why) => {
    const s = await startWithGoodV1();
    const goodImage = s.sim.currentImage(APP);
    const { version: bad } = await s.sim.deploy(APP, s.sim.buildImage(APP, profile));
    const done = await s.daemon.waitForTarget(APP, (t) => ROLLBACK_OVER.includes(t.phase), 20_000, 'rollback');
    expect(done.phase).toBe('rolled-back');
    expect(flyDeploys(s)).toHaveLength(1);
    expect(flyDeploys(s)[0]!.argv).toEqual(expect.arrayContaining(['--image', goodImage, '--app', APP, '--skip-release-command', '--update-only']));
    // No --strategy unless configured: the app's own is used and its stored config is left alone.
    expect(flyDeploys(s)[0]!.argv).not.toContain('--strategy');
    expect(s.sim.currentImage(APP)).toBe(goodImage);
    // The simulator's release list ends with the rollback release, running the healthy image.
    expect(s.sim.releases(APP)[0]).toMatchObject({ imageRef: goodImage, status: 'complete' });
    const rows = await s.daemon.releases(APP);
    expect(rows.find((r) => r.version === bad)).toMatchObject({ verdict: 'bad', verdictReason: expect.stringMatching(why) });
    expect(rows[0]).toMatchObject({ imageRef: goodImage, origin: 'rollback', verdict: 'good' });
    expect(s.daemon.decisions(APP)).toEqual(expect.arrayContaining(['release-failed', 'rollback-started', 'rollback-verified']));
  });

  it('when the previous release was never judged good, the rollback goes further back', async () => {
    const s = await startWithGoodV1();
    const v1Image = s.sim.currentImage(APP);
    // v2 is down, and v3 (also down) lands before v2's guard can finish: v2 never earns a verdict.
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    const done = await s.daemon.waitForTarget(APP, (t) => ROLLBACK_OVER.includes(t.phase), 20_000, 'rollback');
    expect(done).toMatchObject({ phase: 'rolled-back', rollback: { to: 1 } });
    expect(s.sim.currentImage(APP)).toBe(v1Image);
    expect(flyDeploys(s)).toHaveLength(1);
  });

  it('a restart mid-guard resumes the guard and finishes it', async () => {
    stack = await Stack.start({ apps: [APP], guard: { watchWindow: '4s' } });
    const s = stack;
    await s.daemon.waitForTarget(APP, (t) => t.phase === 'guarding', 10_000, 'guard of v1');
    expect(await s.daemon.kill('SIGKILL')).toBeNull();
    const again = await s.restart();
    expect(again.records.some((r) => r.msg === 'resuming saved guard state' && r.phase === 'guarding')).toBe(true);
    await again.waitForTarget(APP, (t) => t.phase === 'stable', 15_000, 'v1 good after restart');
    expect(again.decisions(APP)).toEqual(['guard-passed']); // resumed, not started over
  });

  it('SIGTERM stops the daemon cleanly with exit code 0', async () => {
    const s = await startWithGoodV1();
    const code = await s.daemon.kill('SIGTERM');
    expect(code, s.daemon.tail(5) + s.daemon.stderr.join('')).toBe(0);
    expect(s.daemon.records.map((r) => r.msg)).toContain('stopped');
  });

  it('never writes the Fly token to its logs', async () => {
    const s = await startWithGoodV1();
    s.sim.injectFault({ command: 'releases', mode: 'exit1', times: 1 });
    // A new release on the machines makes the next poll list releases, and meet the fault.
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'healthy'));
    await s.daemon.waitForLog((r) => r.msg === 'could not list releases; no action taken', 10_000, 'a failed poll');
    await s.daemon.kill('SIGTERM');
    expect(JSON.stringify(s.daemon.records)).not.toContain(TOKEN);
  });
});

describe('flyctl failures lead to a logged error and no deploy', () => {
  it.each([
    ['garbage', 'WD_ERR_PLATFORM_OUTPUT_INVALID'],
    ['exit1', 'WD_ERR_PLATFORM_COMMAND_FAILED'],
    ['hang', 'WD_ERR_PLATFORM_TIMEOUT'],
  ] as const)('fly releases %s → %s', async (mode, code) => {
    stack = await Stack.start({ apps: [APP], flyTimeouts: { releases: '1s' } });
    const s = stack;
    await s.daemon.waitForTarget(APP, (t) => t.phase === 'stable', 15_000, 'v1 marked good');
    // From now on every releases call misbehaves, while a broken release is live.
    s.sim.injectFault({ command: 'releases', mode, times: 1000 });
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    const isFailure = (r: Record<string, unknown>) =>
      r.msg === 'could not list releases; no action taken' && (r.err as { code?: string })?.code === code;
    const failure = await s.daemon.waitForLog(isFailure, 10_000, `${mode} error`);
    expect((failure.err as { message: string }).message).toMatch(/^fly releases /);
    // Three failed polls in a row with a dead release live, and still nothing was deployed.
    await s.daemon.waitForLog(() => s.daemon.records.filter(isFailure).length >= 3, 15_000, 'three failed polls');
    expect(flyDeploys(s)).toEqual([]);
    expect((await s.daemon.target(APP)).phase).toBe('stable');
  });
});
