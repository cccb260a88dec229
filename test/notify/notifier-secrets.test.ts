import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { EVENTS } from './fixtures.ts';
import { makeNotifier, SECRET_PATH, stopAll } from './harness.ts';
import { startReceiver, type Receiver } from './receiver.ts';

const receivers: Receiver[] = [];
afterEach(async () => {
  await stopAll();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const SECRETS = ['xoxSecretPathToken123', 'T0SECRET', 'hookTokenInPath0123456789', 'headerSecretValue', 'R0UTINGKEY0000000000'];

describe('Notifier never leaks channel secrets', () => {
  it('not in any log line nor metric label, across retries, rejections, refused connections, timeouts and drops', async () => {
    const flaky = await startReceiver([{ status: 500 }, { status: 400 }]);
    const hanging = await startReceiver(['hang']);
    receivers.push(flaky, hanging);
    const refused = `http://127.0.0.1:${await closedPort()}/in/hookTokenInPath0123456789?key=headerSecretValue`;
    const h = makeNotifier(
      {
        channels: [
          { name: 'slack-flaky', type: 'slack', webhookUrl: flaky.url(SECRET_PATH) },
          { name: 'slack-hanging', type: 'slack', webhookUrl: hanging.url(SECRET_PATH) },
          { name: 'hook-refused', type: 'webhook', url: refused, headers: { authorization: 'Bearer headerSecretValue' } },
          { name: 'pd', type: 'pagerduty', routingKey: 'R0UTINGKEY0000000000', url: hanging.url(SECRET_PATH) },
        ],
        retry: { attempts: 2, initialDelay: '10ms' },
        queueLimit: 1,
      },
      { requestTimeoutMs: 100 },
    );
    h.notifier.notify(EVENTS['rollback-held']);
    h.notifier.notify(EVENTS['rollback-failed']); // overflows every queue of one
    await h.notifier.idle();
    h.notifier.notify(EVENTS['rollback-failed']);
    await h.notifier.stop(0);

    // Every path ran: delivered nothing, rejected, exhausted, dropped.
    expect(h.metrics.failed).toEqual(
      expect.arrayContaining([
        'slack-flaky/rollback-failed/permanent',
        'hook-refused/rollback-failed/exhausted',
        'slack-hanging/rollback-failed/exhausted',
        'slack-hanging/rollback-held/dropped',
      ]),
    );
    expect(h.lines.length).toBeGreaterThan(5);
    const logged = h.lines.join('\n');
    const labels = h.metrics.labels();
    for (const secret of SECRETS) {
      expect(logged).not.toContain(secret);
      expect(labels).not.toContain(secret);
    }
    expect(logged).not.toContain(flaky.url(SECRET_PATH));
    expect(h.records).toContainEqual(expect.objectContaining({ msg: 'notification failed after all retries', errorCode: 'ECONNREFUSED' }));
  });
});
