import { afterEach, describe, expect, it } from 'vitest';
import { TestClock } from '../support/test-clock.ts';
import { EVENTS } from './fixtures.ts';
import { makeNotifier, stopAll } from './harness.ts';
import { startReceiver, until, type Receiver, type Reply } from './receiver.ts';

const receivers: Receiver[] = [];
async function receiver(replies: Reply[]): Promise<Receiver> {
  const r = await startReceiver(replies);
  receivers.push(r);
  return r;
}
afterEach(async () => {
  await stopAll();
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

const hook = (r: Receiver) => ({ name: 'hook', type: 'webhook' as const, url: r.url() });

describe('Notifier.stop', () => {
  it('keeps delivering, retries included, while the grace period lasts', async () => {
    const r = await receiver([{ status: 500 }, { status: 200 }]);
    const clock = new TestClock('manual');
    const h = makeNotifier({ channels: [hook(r)] }, { clock });
    h.notifier.notify(EVENTS['rollback-failed']);
    await until(() => clock.pendingSleeps === 1); // first try failed; waiting 750 ms to retry

    const stopped = h.notifier.stop(5000);
    clock.advance(750);
    await stopped;

    expect(h.metrics.delivered).toEqual(['hook/rollback-failed']);
    expect(h.metrics.failed).toEqual([]);
    expect(r.requests).toHaveLength(2);
  });

  it('when the grace period ends then aborts the request in flight and drops the queue, counted', async () => {
    const r = await receiver(['hang']);
    const clock = new TestClock('manual');
    const h = makeNotifier({ channels: [hook(r)] }, { clock });
    for (const kind of ['rollback-started', 'rollback-finished', 'postmortem-required'] as const) h.notifier.notify(EVENTS[kind]);
    await until(() => r.requests.length === 1);

    const stopped = h.notifier.stop(2000);
    clock.advance(2000);
    await stopped;

    expect(h.metrics.failed).toEqual(['hook/rollback-started/dropped', 'hook/rollback-finished/dropped', 'hook/postmortem-required/dropped']);
    expect(h.notifier.depth).toBe(0);
    expect(h.records).toContainEqual(expect.objectContaining({ msg: 'notification grace period over, dropping what is left', pending: 3 }));
    expect(h.records).toContainEqual(expect.objectContaining({ msg: 'notifications dropped at shutdown', dropped: 3 }));
  });

  it('when stopped while waiting to retry then the wait is cut short and the message dropped', async () => {
    const r = await receiver([{ status: 503 }]);
    const clock = new TestClock('manual');
    const h = makeNotifier({ channels: [hook(r)], retry: { initialDelay: '1m' } }, { clock });
    h.notifier.notify(EVENTS['rollback-held']);
    await until(() => clock.pendingSleeps === 1);
    await h.notifier.stop(0);
    expect(h.metrics.failed).toEqual(['hook/rollback-held/dropped']);
    expect(r.requests).toHaveLength(1);
  });

  it('after stop, notify() drops and counts instead of queueing; stop() is idempotent', async () => {
    const r = await receiver([{ status: 200 }]);
    const h = makeNotifier({ channels: [hook(r)] });
    const first = h.notifier.stop(1000);
    expect(h.notifier.stop(5)).toBe(first);
    await first;
    h.notifier.notify(EVENTS['rollback-failed']);
    expect(h.notifier.depth).toBe(0);
    expect(h.metrics.failed).toEqual(['hook/rollback-failed/dropped']);
    expect(h.agent.dispatches).toBe(0);
  });

  it('with nothing queued, resolves at once without waiting out the grace', async () => {
    const clock = new TestClock('manual');
    const h = makeNotifier({ channels: [] }, { clock });
    await h.notifier.stop(60_000); // would hang if it waited: the manual clock never advances
    expect(h.notifier.depth).toBe(0);
  });
});
