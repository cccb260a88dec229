import { afterEach, describe, expect, it } from 'vitest';
import { ChannelQueue, type ChannelQueueOptions } from '../../src/notify/channel-queue.ts';
import { captureLogger } from '../fakes/logger.ts';
import { TestClock } from '../support/test-clock.ts';
import { startReceiver, type Receiver } from './receiver.ts';
import { RecordingMetrics } from './recording-metrics.ts';

let receiver: Receiver | undefined;
afterEach(async () => receiver?.close());

function queue(over: Partial<ChannelQueueOptions> = {}) {
  const metrics = new RecordingMetrics();
  const depths: number[] = [];
  const q: ChannelQueue = new ChannelQueue({
    name: 'c',
    limit: 10,
    attempts: 3,
    initialDelayMs: 10,
    maxDelayMs: 100,
    timeoutMs: 2000,
    clock: new TestClock(),
    random: () => 0,
    stopSignal: new AbortController().signal,
    metrics,
    logger: captureLogger().logger,
    onDepthChange: () => depths.push(q.depth),
    ...over,
  });
  return { q, metrics, depths };
}

const delivery = (url: string) => ({ kind: 'rollback-failed' as const, request: { url, headers: {}, body: '{}' } });

describe('ChannelQueue', () => {
  it('push() returns before the worker starts; depth counts the message until it settles', async () => {
    receiver = await startReceiver([{ status: 200 }]);
    const { q, metrics, depths } = queue();
    q.push(delivery(receiver.url()));
    expect(q.depth).toBe(1);
    expect(receiver.requests).toHaveLength(0);
    await q.idle();
    expect(metrics.delivered).toEqual(['c/rollback-failed']);
    expect(depths[0]).toBe(1);
    expect(depths.at(-1)).toBe(0);
  });

  it('restarts its worker for a push after it went idle', async () => {
    receiver = await startReceiver([{ status: 200 }]);
    const { q, metrics } = queue();
    q.push(delivery(receiver.url()));
    await q.idle();
    q.push(delivery(receiver.url()));
    await q.idle();
    expect(metrics.delivered).toHaveLength(2);
  });

  it('when already stopped then queued messages are dropped without a request', async () => {
    receiver = await startReceiver([{ status: 200 }]);
    const stop = new AbortController();
    stop.abort();
    const { q, metrics } = queue({ stopSignal: stop.signal });
    q.push(delivery(receiver.url()));
    await q.idle();
    expect(metrics.failed).toEqual(['c/rollback-failed/dropped']);
    expect(receiver.requests).toHaveLength(0);
  });
});
