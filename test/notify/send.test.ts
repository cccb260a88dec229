import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { errorCode, sendOnce, type SendOptions } from '../../src/notify/send.ts';
import { startReceiver, until, type Receiver, type Reply } from './receiver.ts';

let receiver: Receiver | undefined;
afterEach(async () => {
  await receiver?.close();
  receiver = undefined;
});

const options = (over: Partial<SendOptions> = {}): SendOptions => ({
  stopSignal: new AbortController().signal,
  timeoutMs: 2000,
  now: Date.UTC(2025, 0, 1),
  ...over,
});

async function sendTo(reply: Reply, over: Partial<SendOptions> = {}) {
  receiver = await startReceiver([reply]);
  return sendOnce({ url: receiver.url(), headers: { 'content-type': 'application/json' }, body: '{"a":1}' }, options(over));
}

describe('sendOnce', () => {
  it.each([
    ['200', { status: 200 }, { outcome: 'delivered', status: 200 }],
    ['204', { status: 204 }, { outcome: 'delivered', status: 204 }],
    ['500', { status: 500 }, { outcome: 'retry', status: 500 }],
    ['503 with Retry-After', { status: 503, headers: { 'retry-after': '3' } }, { outcome: 'retry', status: 503, retryAfterMs: 3000 }],
    ['429 with Retry-After', { status: 429, headers: { 'retry-after': '7' } }, { outcome: 'retry', status: 429, retryAfterMs: 7000 }],
    ['429 without Retry-After', { status: 429 }, { outcome: 'retry', status: 429 }],
    ['400', { status: 400 }, { outcome: 'permanent', status: 400 }],
    ['404 (revoked Slack webhook)', { status: 404 }, { outcome: 'permanent', status: 404 }],
    ['301', { status: 301, headers: { location: '/elsewhere' } }, { outcome: 'permanent', status: 301 }],
  ] as const)('when the receiver answers %s then %o', async (_label, reply, expected) => {
    expect(await sendTo(reply)).toEqual(expected);
  });

  it('posts the body and headers as given', async () => {
    await sendTo({ status: 200 });
    expect(receiver?.requests[0]).toMatchObject({ path: '/hook', body: '{"a":1}', headers: { 'content-type': 'application/json' } });
  });

  it('when nothing listens then retry with a constant error code', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const result = await sendOnce({ url: `http://127.0.0.1:${port}/x`, headers: {}, body: '' }, options());
    expect(result).toEqual({ outcome: 'retry', errorCode: 'ECONNREFUSED' });
  });

  it('when the receiver does not answer in time then retry', async () => {
    const result = await sendTo('hang', { timeoutMs: 100 });
    expect(result).toMatchObject({ outcome: 'retry' });
    expect((result as { errorCode: string }).errorCode).toMatch(/^[A-Z_]+$/i);
  });

  it('when stopped mid-request then aborted, not a failed try', async () => {
    const stop = new AbortController();
    receiver = await startReceiver(['hang']);
    const pending = sendOnce({ url: receiver.url(), headers: {}, body: '' }, options({ stopSignal: stop.signal }));
    await until(() => receiver?.requests.length === 1);
    stop.abort();
    expect(await pending).toEqual({ outcome: 'aborted' });
  });
});

describe('errorCode', () => {
  it.each([
    [Object.assign(new Error('connect ECONNREFUSED http://h/secret'), { code: 'ECONNREFUSED' }), 'ECONNREFUSED'],
    [new Error('x', { cause: { code: 'UND_ERR_SOCKET' } }), 'UND_ERR_SOCKET'],
    [new DOMException('timed out', 'TimeoutError'), 'TIMEOUT'],
    [{ code: 'https://hooks.example/secret' }, 'UNKNOWN'],
    [null, 'UNKNOWN'],
  ])('when %o then %s, never the message', (err, code) => {
    expect(errorCode(err)).toBe(code);
  });
});
