/** Notifications never hold up a rollback: a Slack webhook that fails twice still gets its message. */
import { createServer } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { Stack } from './stack.ts';

const APP = 'renderflow-api';
let stack: Stack | undefined;
let close: (() => void) | undefined;
afterEach(async () => {
  await stack?.close();
  close?.();
  stack = undefined;
});

describe('notifications', () => {
  it('a Slack webhook failing twice gets the message on the third try, without delaying the rollback', async () => {
    const received: { at: number; status: number; text: string }[] = [];
    const slack = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        const status = received.length < 2 ? 500 : 200;
        received.push({ at: Date.now(), status, text: body });
        res.writeHead(status).end(status === 200 ? 'ok' : 'server_error');
      });
    });
    await new Promise<void>((resolve) => slack.listen(0, '127.0.0.1', resolve));
    close = () => slack.close();
    const hook = `http://127.0.0.1:${(slack.address() as { port: number }).port}/services/T000/B000/secretpath0123456789`;
    stack = await Stack.start({
      apps: [APP],
      extraYaml: `notifications:
  channels: [{ name: oncall, type: slack, webhookUrl: "${hook}", events: [rollback-started, rollback-finished] }]
  retry: { attempts: 5, initialDelay: 1s, maxDelay: 5s }`,
    });
    const s = stack;
    await s.daemon.waitForTarget(APP, (t) => t.phase === 'stable', 20_000, 'v1 good');
    await s.sim.deploy(APP, s.sim.buildImage(APP, 'down'));
    await s.daemon.waitForTarget(APP, (t) => t.phase === 'rolled-back', 30_000, 'rollback');
    await s.daemon.waitForLog(() => received.filter((r) => r.status === 200).length >= 1, 20_000, 'a delivered message');
    const delivered = received.find((r) => r.status === 200)!;
    expect(received.slice(0, 3).map((r) => r.status)).toEqual([500, 500, 200]);
    expect(delivered.text).toContain('renderflow-api');
    const started = (await s.daemon.waitForLog((r) => r.decision === 'rollback-started', 1000, 'rollback-started')).time as number;
    // The rollback went ahead while the first delivery was still being retried.
    expect(started).toBeLessThan(delivered.at);
    expect(JSON.stringify(s.daemon.records)).not.toContain('secretpath0123456789');
  });
});
