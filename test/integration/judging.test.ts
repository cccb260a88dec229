/**
 * Judging a release end to end: the error-rate test on real counters, and the rule that the
 * watchdog never rolls back because IT cannot see (Prometheus down, its own network gone).
 */
import { createServer } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { Stack, type StackOptions } from './stack.ts';

const APP = 'renderflow-api';
const DONE = ['rolled-back', 'rollback-failed', 'held'];
let stack: Stack | undefined;
afterEach(async () => {
  await stack?.close();
  stack = undefined;
});

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

describe('the error-rate judgment on live counters', () => {
  it('an errors:50 release is caught by the sequential test, with its numbers in the decision', async () => {
    const s = await startWithGoodV1({
      // The probe fails half the time too; a high probe threshold lets the error-rate test decide first.
      probes: 'health-only',
      guard: { failureThreshold: 20 },
      targetYaml: (sim) => `\n    errorRate: { source: { type: scrape, urls: ["${sim.appUrl(APP)}/metrics"] }, minRequests: 20, maxWindow: 10s }`,
    });
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'errors:50'));
    await s.daemon.waitForTarget(APP, (t) => DONE.includes(t.phase), 30_000, 'rollback');
    const failed = await s.daemon.waitForLog((r) => r.decision === 'release-failed', 1000, 'the failure decision');
    expect(failed.msg).toMatch(/error rate: \d+\/\d+ errors/);
    const [m] = failed.measurements as { check: string; values: Record<string, number> }[];
    expect(m).toMatchObject({ check: 'error-rate' });
    expect(m!.values.requests).toBeGreaterThan(0);
    expect(flyDeploys(s)).toHaveLength(1);
  });
});

describe('no rollback because the watchdog cannot see', () => {
  it('Prometheus down: the check reports error, healthy releases pass on probes, a visible failure still rolls back', async () => {
    const port = await closedPort();
    const s = await startWithGoodV1({
      targetYaml: () => `\n    errorRate: { source: { type: prometheus, url: "http://127.0.0.1:${port}", requests: "sum(http_requests_total)", errors: "sum(http_requests_total{status=~\\"5..\\"})", timeout: 500ms }, maxWindow: 4s }`,
    });
    const good = await s.sim.deploy(APP, s.sim.buildImage(APP, 'healthy'));
    // (Not "stable with v2 current": that also holds while Fly is still rolling v2 out.)
    await s.daemon.waitForLog((r) => r.decision === 'guard-passed' && r.version === good.version, 20_000, 'v2 passes on its probes');
    const v2 = (await s.daemon.releases(APP)).find((r) => r.version === good.version);
    expect(v2).toMatchObject({ verdict: 'good', verdictReason: expect.stringMatching(/error rate unavailable, judged on probes/) });
    expect(flyDeploys(s)).toHaveLength(0);
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'unready')); // a signal that CAN be seen fails
    const t = await s.daemon.waitForTarget(APP, (x) => DONE.includes(x.phase), 30_000, 'rollback');
    expect(t.phase).toBe('rolled-back');
  });

  it('its own network gone: refused probes are inconclusive and nothing is rolled back', async () => {
    const port = await closedPort();
    const s = await startWithGoodV1({ extraYaml: `connectivity: { url: "http://127.0.0.1:${port}/", timeout: 500ms }` });
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    await s.daemon.waitForLog((r) => r.msg === 'watchdog connectivity lost; probe errors do not count against the release', 20_000, 'connectivity lost');
    await s.daemon.waitForLog((r) => r.decision === 'guard-passed' && r.version === 2, 20_000, 'window over without a rollback');
    expect(flyDeploys(s)).toHaveLength(0);
    expect((await s.daemon.releases(APP))[0]).toMatchObject({ version: 2, verdict: 'good' });
  });
});
