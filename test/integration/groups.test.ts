/** Rollback groups end to end: the worker fails, and API and worker both go back to the pair live before. */
import { afterEach, describe, expect, it } from 'vitest';
import { startServer, type LocalServer } from '../support/http-server.ts';
import { Stack } from './stack.ts';

const APPS = ['renderflow-worker', 'renderflow-api'];
let stack: Stack | undefined;
let receiver: LocalServer | undefined;
afterEach(async () => {
  await stack?.close();
  await receiver?.close();
  stack = undefined;
  receiver = undefined;
});

/** Both apps good on v1, then one commit ships a healthy API and a broken worker. */
async function shipBrokenWorker(env: Record<string, string> = {}, notify = '') {
  stack = await Stack.start({ apps: APPS, env, extraYaml: `groups: [{ name: renderflow, targets: [renderflow-worker, renderflow-api], window: 1m }]\n${notify}` });
  const s = stack;
  for (const app of APPS) await s.daemon.waitForTarget(app, (t) => t.phase === 'stable', 15_000, `${app} v1 good`);
  const before = { api: s.sim.currentImage('renderflow-api'), worker: s.sim.currentImage('renderflow-worker') };
  await Promise.all([
    s.sim.deploy('renderflow-api', s.sim.buildImage('renderflow-api', 'healthy')),
    s.sim.deploy('renderflow-worker', s.sim.buildImage('renderflow-worker', 'down')),
  ]);
  return { s, before };
}

const deploysByApp = (s: Stack) => s.sim.invocations().filter((i) => i.argv[0] === 'deploy').map((i) => i.argv[i.argv.indexOf('--app') + 1]);

describe('rollback groups', () => {
  it('the worker fails: worker then API roll back, each an automatic rollback in the journal, the metrics and the notifications', async () => {
    const events: { kind: string; target: string; trigger?: string; actor?: string }[] = [];
    receiver = await startServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        events.push((JSON.parse(body) as { event: (typeof events)[number] }).event);
        res.writeHead(200).end('ok');
      });
    });
    const { s, before } = await shipBrokenWorker({}, `notifications:\n  channels: [{ name: hook, type: webhook, url: "${receiver.url}/hook", events: [rollback-started] }]`);
    const groupLog = () => s.daemon.records.filter((r) => r.group || r.decision).map((r) => JSON.stringify(r)).join('\n');
    await s.daemon
      .waitForTarget('renderflow-api', (t) => t.phase === 'rolled-back', 40_000, 'API rolled back with the group')
      .catch((err: Error) => Promise.reject(new Error(`${err.message}\n${groupLog()}`)));
    expect((await s.daemon.target('renderflow-worker')).phase).toBe('rolled-back');
    expect(s.sim.currentImage('renderflow-worker')).toBe(before.worker);
    expect(s.sim.currentImage('renderflow-api')).toBe(before.api);
    expect(deploysByApp(s)).toEqual(APPS); // in the configured order, once each

    const started = s.daemon.records.filter((r) => r.decision === 'rollback-started');
    expect(started.map((r) => [r.target, r.trigger, r.group, r.requestedBy])).toEqual([
      ['renderflow-worker', 'automatic', 'renderflow', undefined],
      ['renderflow-api', 'automatic', 'renderflow', undefined],
    ]);
    expect(await s.daemon.metric('rollback_watchdog_rollbacks_total', 'trigger="manual"')).toBe(0);
    expect(await s.daemon.metric('rollback_watchdog_rollbacks_total', 'outcome="started"', 'trigger="automatic"')).toBe(2);
    await s.daemon.waitForLog(() => events.length >= 2, 10_000, 'two rollback-started notifications');
    expect(events.map((e) => [e.kind, e.target, e.trigger, e.actor])).toEqual([
      ['rollback-started', 'renderflow-worker', 'automatic', undefined],
      ['rollback-started', 'renderflow-api', 'automatic', undefined],
    ]);
  });

  it.each([
    ['after the group rollback was asked for, before it was planned', 'group-rollback-requested'],
    ['after the plan was stored', 'group-rollback-planned'],
    ["after the first member's rollback was decided, before its deploy", 'rollback-started'],
  ])('SIGKILL %s: after a restart every member still ends rolled back, exactly once', async (_label, decision) => {
    const { s, before } = await shipBrokenWorker({ ROLLBACK_WATCHDOG_FAILPOINT: `crash-after:${decision}` });
    await s.daemon.exited(30_000); // the failpoint fired
    const again = await s.restart();
    await again
      .waitForTarget('renderflow-api', (t) => t.phase === 'rolled-back', 60_000, 'API rolled back with the group after the restart')
      .catch((err: Error) => Promise.reject(new Error(`${err.message}\n${again.decisionLog()}`)));
    expect((await again.target('renderflow-worker')).phase).toBe('rolled-back');
    expect(s.sim.currentImage('renderflow-worker')).toBe(before.worker);
    expect(s.sim.currentImage('renderflow-api')).toBe(before.api);
    expect(deploysByApp(s)).toEqual(APPS);
  });
});
