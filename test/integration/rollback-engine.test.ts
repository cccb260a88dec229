/**
 * The rollback engine end to end: crash recovery at every step, flyctl failures during the
 * rollback, rollback loops, and the dry-run mode, with the real daemon process and the simulator.
 */
import { describe, expect, it } from 'vitest';
import { closeStacksAfterEach, ROLLBACK_OVER, Stack, storedIncident, type StackOptions } from './stack.ts';

const APP = 'renderflow-api';
let stack: Stack | undefined;
closeStacksAfterEach();

async function startWithGoodV1(options: Partial<StackOptions> = {}): Promise<Stack> {
  stack = await Stack.start({ apps: [APP], ...options });
  await stack.daemon.waitForTarget(APP, (t) => t.phase === 'stable', 15_000, 'v1 marked good');
  return stack;
}

const flyDeploys = (s: Stack) => s.sim.invocations().filter((i) => i.argv[0] === 'deploy');

describe('crash recovery: SIGKILL at each step of a rollback, then restart', () => {
  it.each([
    ['after the decision', 'release-failed'],
    ['after the deploy was issued (before flyctl ran)', 'rollback-started'],
  ])('%s: exactly one rollback deploy, rolled back, incident complete', async (_label, decision) => {
    const s = await startWithGoodV1({ env: { ROLLBACK_WATCHDOG_FAILPOINT: `crash-after:${decision}` } });
    const good = s.sim.currentImage(APP);
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    await s.daemon.exited(20_000); // the failpoint fired
    expect(flyDeploys(s)).toHaveLength(0);
    const again = await s.restart();
    await again.waitForTarget(APP, (t) => ROLLBACK_OVER.includes(t.phase), 30_000, 'rollback after restart');
    expect((await again.target(APP)).phase).toBe('rolled-back');
    expect(flyDeploys(s)).toHaveLength(1);
    expect(s.sim.currentImage(APP)).toBe(good);
    await again.kill('SIGTERM');
    const { incident, timeline } = await storedIncident(s, APP);
    expect(incident).toMatchObject({ status: 'closed', outcome: 'rolled-back' });
    expect(timeline).toEqual(expect.arrayContaining(['release-failed', 'rollback-started', 'rollback-deployed', 'rollback-verified']));
  });

  it('during the deploy: the restarted daemon finds the release instead of deploying again', async () => {
    const s = await startWithGoodV1({ deployMs: 2000 });
    const good = s.sim.currentImage(APP);
    const bad = await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    // "During the deploy" = the platform is rolling the rollback release out. (Killing as soon as
    // fly is invoked can beat the deploy to the platform; then re-issuing it is the right call.)
    const rollingOut = () => s.sim.releases(APP).some((r) => r.version > bad.version && r.imageRef === good && r.status === 'running');
    await s.daemon.waitForLog(rollingOut, 20_000, 'the rollback release rolling out');
    await s.daemon.kill('SIGKILL');
    const again = await s.restart();
    await again.waitForTarget(APP, (t) => ROLLBACK_OVER.includes(t.phase), 30_000, 'rollback after restart');
    expect((await again.target(APP)).phase).toBe('rolled-back');
    expect(flyDeploys(s)).toHaveLength(1);
    expect(s.sim.currentImage(APP)).toBe(good);
    expect(again.decisions(APP)).toContain('rollback-recovered');
    await again.kill('SIGTERM');
    const { incident, timeline } = await storedIncident(s, APP);
    expect(incident).toMatchObject({ status: 'closed', outcome: 'rolled-back' });
    expect(timeline).toEqual(expect.arrayContaining(['release-failed', 'rollback-started', 'rollback-recovered', 'rollback-verified']));
  });

  it('during verification: verification resumes, nothing is deployed again', async () => {
    const s = await startWithGoodV1({ verify: { successes: 15, timeout: '20s' } });
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    await s.daemon.waitForLog((r) => r.decision === 'rollback-deployed', 20_000, 'verification started');
    await s.daemon.kill('SIGKILL');
    const again = await s.restart();
    expect(again.records.some((r) => r.msg === 'resuming saved guard state' && r.phase === 'verifying')).toBe(true);
    await again.waitForTarget(APP, (t) => ROLLBACK_OVER.includes(t.phase), 30_000, 'verification after restart');
    expect((await again.target(APP)).phase).toBe('rolled-back');
    expect(flyDeploys(s)).toHaveLength(1);
    await again.kill('SIGTERM');
    const { incident, timeline } = await storedIncident(s, APP);
    expect(incident).toMatchObject({ status: 'closed', outcome: 'rolled-back' });
    expect(timeline).toEqual(expect.arrayContaining(['release-failed', 'rollback-started', 'rollback-deployed', 'rollback-verified']));
  });
});

describe('flyctl failing during the rollback', () => {
  it('exit 1 twice: retried with backoff, the third attempt rolls back', async () => {
    const s = await startWithGoodV1();
    s.sim.injectFault({ command: 'deploy', mode: 'exit1', times: 2 });
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    await s.daemon.waitForTarget(APP, (t) => ROLLBACK_OVER.includes(t.phase), 30_000, 'rollback');
    expect((await s.daemon.target(APP)).phase).toBe('rolled-back');
    expect(flyDeploys(s)).toHaveLength(3);
    expect(s.daemon.decisions(APP).filter((d) => d === 'rollback-deploy-retry')).toHaveLength(2);
  });

  it('a hang past the timeout, every time: rollback-failed with the reason, after deployAttempts tries', async () => {
    stack = await Stack.start({ apps: [APP], flyTimeouts: { deploy: '1s' }, rollback: { deployAttempts: 2 } });
    const s = stack;
    await s.daemon.waitForTarget(APP, (t) => t.phase === 'stable', 15_000, 'v1 marked good');
    s.sim.injectFault({ command: 'deploy', mode: 'hang', times: 10 });
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    const t = await s.daemon.waitForTarget(APP, (x) => ROLLBACK_OVER.includes(x.phase), 30_000, 'rollback-failed');
    expect(t.phase).toBe('rollback-failed');
    expect(t.reason).toMatch(/failed 2× \(last: fly deploy .* timed out after 1s\)/);
    expect(flyDeploys(s)).toHaveLength(2);
  });

  it('garbage output with exit 0: not trusted, verification catches that nothing changed', async () => {
    const s = await startWithGoodV1({ verify: { timeout: '3s' } });
    s.sim.injectFault({ command: 'deploy', mode: 'garbage', times: 1 });
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    const t = await s.daemon.waitForTarget(APP, (x) => ROLLBACK_OVER.includes(x.phase), 30_000, 'rollback-failed');
    expect(t.phase).toBe('rollback-failed');
    expect(t.reason).toMatch(/did not verify/);
    expect(flyDeploys(s)).toHaveLength(1);
  });
});

describe('no rollback loops', () => {
  it('when the rollback target fails too: rollback-failed after one deploy, and no more', async () => {
    // Every poll lists releases (relistEvery 1s), so the guard sees the broken state on each.
    const s = await startWithGoodV1({ verify: { timeout: '3s' }, relistEvery: '1s' });
    const good = s.sim.currentImage(APP);
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    await s.daemon.waitForLog((r) => r.decision === 'rollback-started', 20_000, 'rollback started');
    await s.sim.setImageProfile(good, 'down'); // the old image breaks too (say, a migration it cannot read)
    const t = await s.daemon.waitForTarget(APP, (x) => ROLLBACK_OVER.includes(x.phase), 30_000, 'rollback outcome');
    expect(t.phase).toBe('rollback-failed');
    // Three more polls see the broken state, and the watchdog still does nothing more.
    const polls = () => s.daemon.metric('rollback_watchdog_release_polls_total{result="listed"}');
    const seen = await polls();
    await s.daemon.waitUntil(async () => (await polls()) >= seen + 3, 15_000, 'three more polls');
    expect(flyDeploys(s)).toHaveLength(1);
    expect((await s.daemon.target(APP)).phase).toBe('rollback-failed');
  });
});

describe('modes', () => {
  it('dry-run judges and records, and deploys nothing', async () => {
    const s = await startWithGoodV1({ extraYaml: 'mode: dry-run' });
    const { version } = await s.sim.deploy(APP, s.sim.buildImage(APP, 'unready'));
    const t = await s.daemon.waitForTarget(APP, (x) => x.phase === 'held', 20_000, 'dry-run hold');
    expect(t.reason).toMatch(/dry-run mode.*would roll back v2 to the image of v1/);
    expect(flyDeploys(s)).toHaveLength(0);
    expect((await s.daemon.releases(APP)).find((r) => r.version === version)?.verdict).toBe('bad');
  });
});

describe('database migration boundary', () => {
  it('a bad release after a migration is held: nothing deployed, and the incident says why', async () => {
    // Stands in for the team's endpoint reporting max(created_at) from drizzle.__drizzle_migrations.
    const { createServer } = await import('node:http');
    let latest = 1709553600000;
    const db = createServer((_req, res) => res.end(JSON.stringify({ latest: { createdAt: latest } })));
    await new Promise<void>((resolve) => db.listen(0, '127.0.0.1', resolve));
    const port = (db.address() as { port: number }).port;
    try {
      const s = await startWithGoodV1({ targetYaml: `\n    migrations: { type: url, url: "http://127.0.0.1:${port}/migrations" }` });
      latest = 1709640000000; // the new release's release_command applied 0007_add_column
      await s.sim.deploy(APP, s.sim.buildImage(APP, 'unready'));
      const t = await s.daemon.waitForTarget(APP, (x) => ROLLBACK_OVER.includes(x.phase), 20_000, 'hold');
      expect(t).toMatchObject({ phase: 'held', hold: { kind: 'migration' } });
      expect(t.reason).toMatch(/runs on database migration 1709640000000, newer than v1's 1709553600000.*manual SQL reversal on staging/);
      expect(flyDeploys(s)).toHaveLength(0);
      await s.daemon.kill('SIGTERM');
      const { incident, timeline } = await storedIncident(s, APP);
      expect(incident).toMatchObject({ status: 'open', version: 2 });
      expect(timeline).toEqual(['release-failed', 'rollback-held']);
    } finally {
      db.close();
    }
  });
});

describe('approve mode', () => {
  it('holds the rollback until an operator approves it through the admin API, then rolls back', async () => {
    const s = await startWithGoodV1({ extraYaml: 'mode: approve' });
    const good = s.sim.currentImage(APP);
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    const held = await s.daemon.waitForTarget(APP, (x) => x.phase === 'held', 20_000, 'held for approval');
    expect(held.hold).toMatchObject({ kind: 'approval' });
    expect(flyDeploys(s)).toHaveLength(0);
    const approved = await s.daemon.api('/api/v1/targets/renderflow-api/approve', { method: 'POST', body: {} });
    expect(approved.status).toBe(202);
    const t = await s.daemon.waitForTarget(APP, (x) => ROLLBACK_OVER.includes(x.phase) && x.phase !== 'held', 30_000, 'rollback after approval');
    expect(t.phase).toBe('rolled-back');
    expect(flyDeploys(s)).toHaveLength(1);
    expect(s.sim.currentImage(APP)).toBe(good);
    const audit = await s.daemon.api<unknown>('/api/v1/audit');
    expect(JSON.stringify(audit.body)).toMatch(/"action":"approve"/);
  });
});
