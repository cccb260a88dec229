/**
 * Judging a release end to end: the error-rate test on real counters, and the rule that the
 * watchdog never rolls back because IT cannot see (Prometheus down, its own network gone).
 */
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { closeStacksAfterEach, ROLLBACK_OVER, Stack, type StackOptions } from './stack.ts';

const APP = 'renderflow-api';
let stack: Stack | undefined;
closeStacksAfterEach();

/** A port on 127.0.0.1 with nothing listening (bound, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function startWithGoodV1(options: Partial<StackOptions>): Promise<Stack> {
  stack = await Stack.start({ apps: [APP], ...options });
  await stack.daemon.waitForTarget(APP, (t) => t.phase === 'stable', 20_000, 'v1 marked good');
  return stack;
}
const flyDeploys = (s: Stack) => s.sim.invocations().filter((i) => i.argv[0] === 'deploy');

/** An error rate scraped from the app, with a short baseline span so a test needs seconds, not an hour. */
const scraped = (maxWindow = '10s', minRequests = 20) => (sim: Stack['sim']) =>
  `\n    errorRate: { source: { type: scrape, urls: ["${sim.appUrl(APP)}/metrics"] }, minRequests: ${minRequests}, minBaselineRequests: 50, minBaselineSpan: 10s, maxWindow: ${maxWindow} }`;

/**
 * The remembered baseline keeps minute blocks, and a guard leaves out the block its release was
 * created in: wait until stable traffic fills a block that ends before the next deploy.
 */
const MINUTE = 60_000;
const baselineMinute = (stableSince: number) => {
  // The block must hold enough stable traffic to judge by (minBaselineRequests), not only a moment
  // of it: a guard that ended just before a minute's end leaves that minute nearly empty.
  const deployAt = Math.ceil((stableSince + 15_000) / MINUTE) * MINUTE + 2_000;
  return new Promise((resolve) => setTimeout(resolve, deployAt - Date.now()));
};

const gate = async (s: Stack, image: string) => (await s.daemon.api<{ verdict: string }>(`/api/v1/gate?target=${APP}&image=${encodeURIComponent(image)}`)).body.verdict;

describe('the error-rate judgment on live counters', () => {
  it('an errors:50 release is caught by the test, with its numbers in the decision', async () => {
    stack = await Stack.start({
      apps: [APP],
      // The probe fails half the time too; a high probe threshold lets the error-rate test decide first.
      probes: 'health-only',
      guard: { failureThreshold: 20 },
      // No stretch shorter than minDecision (12 s) decides alone: give the test the time to see it.
      targetYaml: scraped('40s'),
    });
    const s = stack;
    // v1 has no baseline yet: it ends unproven; its traffic from then on is the baseline.
    await s.daemon.waitForLog((r) => r.decision === 'guard-unproven' && r.version === 1, 60_000, 'v1 unproven');
    await baselineMinute(Date.now());
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'errors:50'));
    await s.daemon.waitForTarget(APP, (t) => ROLLBACK_OVER.includes(t.phase), 30_000, 'failed and held (v1 is no rollback target)');
    const failed = await s.daemon.waitForLog((r) => r.decision === 'release-failed', 1000, 'the failure decision');
    expect(failed.msg).toMatch(/error rate: \d+\/\d+ errors/);
    const [m] = failed.measurements as { check: string; values: Record<string, number> }[];
    expect(m).toMatchObject({ check: 'error-rate' });
    expect(m!.values.requests).toBeGreaterThan(0);
  }, 180_000);
});

describe('no verdict without evidence', () => {
  it('a release that saw no traffic ends unproven: the gate does not pass it, and it is never a rollback target', async () => {
    // Probes are traffic too: every 2 s they add too few requests (minRequests 50) to judge by.
    stack = await Stack.start({ apps: [APP], targetYaml: scraped('12s', 50), guard: { watchWindow: '7s', probeInterval: '2s' } });
    const s = stack;
    await s.daemon.waitForLog((r) => r.decision === 'guard-unproven' && r.version === 1, 40_000, 'v1 unproven (no baseline yet)');
    await s.daemon.api(`/api/v1/targets/${APP}/releases/1/mark-good`, { method: 'POST', body: {} }); // the operator vouches for v1
    s.sim.setRequestRate(APP, 0); // nobody uses the app while v2 is guarded
    const v2Image = s.sim.buildImage(APP, 'healthy');
    const v2 = await s.sim.deploy(APP, v2Image);
    await s.daemon.waitForLog((r) => r.decision === 'guard-unproven' && r.version === v2.version, 60_000, 'v2 unproven');
    expect((await s.daemon.releases(APP)).find((r) => r.version === v2.version)).toMatchObject({ verdict: 'unproven' });
    expect(await gate(s, v2Image)).toBe('pending');
    s.sim.setRequestRate(APP, 20);
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'unready'));
    const t = await s.daemon.waitForTarget(APP, (x) => ROLLBACK_OVER.includes(x.phase), 30_000, 'rollback');
    expect(t.phase).toBe('rolled-back');
    expect(t.rollback?.to).toBe(1); // past the unproven v2, to the release an operator marked good
  }, 150_000);

  it('Prometheus down: never a failure; with requireTraffic: false healthy releases pass on probes, and a visible failure still rolls back', async () => {
    const port = await closedPort();
    const s = await startWithGoodV1({
      targetYaml: () => `\n    errorRate: { source: { type: prometheus, url: "http://127.0.0.1:${port}", requests: "sum(http_requests_total)", errors: "sum(http_requests_total{status=~\\"5..\\"})", timeout: 500ms }, maxWindow: 4s, minDecision: 4s, requireTraffic: false }`,
    });
    const good = await s.sim.deploy(APP, s.sim.buildImage(APP, 'healthy'));
    // (Not "stable with v2 current": that also holds while Fly is still rolling v2 out.)
    await s.daemon.waitForLog((r) => r.decision === 'guard-passed' && r.version === good.version, 20_000, 'v2 passes on its probes');
    const v2 = (await s.daemon.releases(APP)).find((r) => r.version === good.version);
    expect(v2).toMatchObject({ verdict: 'good', verdictReason: expect.stringMatching(/error rate not required/) });
    expect(flyDeploys(s)).toHaveLength(0);
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'unready')); // a signal that CAN be seen fails
    const t = await s.daemon.waitForTarget(APP, (x) => ROLLBACK_OVER.includes(x.phase), 30_000, 'rollback');
    expect(t.phase).toBe('rolled-back');
  });

  it('its own network gone: refused probes are inconclusive, nothing is rolled back, and the release ends unproven, never a rollback target', async () => {
    const port = await closedPort();
    const s = await startWithGoodV1({ extraYaml: `connectivity: { url: "http://127.0.0.1:${port}/", timeout: 500ms }` });
    const downImage = s.sim.buildImage(APP, 'down');
    await s.sim.deploy(APP, downImage);
    await s.daemon.waitForLog((r) => r.msg === 'watchdog connectivity lost; probe errors do not count against the release', 20_000, 'connectivity lost');
    await s.daemon.waitForLog((r) => r.decision === 'guard-unproven' && r.version === 2, 20_000, 'window over without a rollback');
    expect(flyDeploys(s)).toHaveLength(0);
    expect((await s.daemon.releases(APP))[0]).toMatchObject({ version: 2, verdict: 'unproven' });
    expect(await gate(s, downImage)).toBe('pending');
  });
});
