/**
 * The admin server's connection cap and timeouts, on real sockets (127.0.0.1, port 0) with small
 * limits: what a hostile client holds is taken back, and every refusal is answered with one of our
 * codes and Retry-After. The timeouts here are Node's own, so these tests wait for them (under 1 s).
 */
import { describe, expect, it } from 'vitest';
import type { AdminLimits } from '../../src/admin/limits.ts';
import { rawConnect, slowlorisHead, slowPostHead, streamRequest, waitFor, type RawConnection } from '../support/raw-http.ts';
import { bearer, OPERATOR, VIEWER } from './harness.ts';
import { adminServers } from './servers.ts';

const servers = adminServers();

const listen = async (limits: Partial<AdminLimits>) => (await servers.listen({ limits })).port;

async function open(port: number, first: string): Promise<RawConnection> {
  const c = await rawConnect(port, first);
  servers.keep(c);
  return c;
}

const GET_HEALTH = 'GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
/** Lets the server accept and read what was sent so far. */
const settle = () => new Promise((resolve) => setTimeout(resolve, 50));

describe('connection cap', () => {
  it('closes the oldest connection without a request in flight for a newcomer, answering its half-sent request 503 with Retry-After', async () => {
    const port = await listen({ maxConnections: 4 });
    const slow: RawConnection[] = [];
    for (let i = 0; i < 4; i++) slow.push(await open(port, slowlorisHead()));
    await settle();
    const fresh = await open(port, GET_HEALTH);
    await waitFor(() => fresh.status() === 200, 'the newcomer to be served');
    await slow[0]!.closed;
    expect(slow[0]!.status()).toBe(503);
    expect(slow[0]!.received()).toMatch(/\r\nRetry-After: 5\r\n/);
    expect(slow[0]!.received()).toContain('"code":"WD_ERR_SERVER_BUSY"');
    expect(slow.slice(1).every((s) => !s.isClosed())).toBe(true);
  });

  it('closes an idle keep-alive connection silently: it has nothing to be answered', async () => {
    const port = await listen({ maxConnections: 4 });
    const idle = await open(port, GET_HEALTH);
    await waitFor(() => idle.status() === 200, 'the first answer');
    for (let i = 0; i < 3; i++) await open(port, slowlorisHead());
    await settle();
    await open(port, GET_HEALTH);
    await idle.closed;
    expect(idle.received().match(/HTTP\/1\.1/g)).toHaveLength(1);
  });

  it('refuses a newcomer with 503 and Retry-After when every connection is busy, and touches none of them', async () => {
    const port = await listen({ maxConnections: 4, eventStreams: 10, eventStreamsPerToken: 10 });
    const streams: RawConnection[] = [];
    for (let i = 0; i < 4; i++) streams.push(await open(port, streamRequest(`Bearer ${VIEWER}`)));
    await waitFor(() => streams.every((s) => s.status() === 200), 'four streams');
    const refused = await open(port, GET_HEALTH);
    await refused.closed;
    expect(refused.status()).toBe(503);
    expect(refused.received()).toMatch(/\r\nRetry-After: 5\r\n/);
    expect(refused.received()).toContain('"code":"WD_ERR_SERVER_BUSY"');
    expect(streams.every((s) => !s.isClosed())).toBe(true);
    // A stream that ends frees its connection.
    streams[0]!.destroy();
    await settle();
    const next = await open(port, GET_HEALTH);
    await waitFor(() => next.status() === 200, 'a connection once a stream closed');
  });
});

describe('timeouts and unread bodies', () => {
  it('answers headers that never end with 408 WD_ERR_REQUEST_TIMEOUT and closes', async () => {
    const port = await listen({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    const slow = await open(port, slowlorisHead());
    await slow.closed;
    expect(slow.status()).toBe(408);
    expect(slow.received()).toContain('"code":"WD_ERR_REQUEST_TIMEOUT"');
  });

  it('answers an authenticated body that never ends with 408 once the request timeout passes', async () => {
    const port = await listen({ headersTimeoutMs: 300, requestTimeoutMs: 600 });
    // Within the body limit (a larger one is refused with 413 at once).
    const slow = await open(port, slowPostHead('/api/v1/pause', `Bearer ${OPERATOR}`, 1_000));
    await slow.closed;
    expect(slow.status()).toBe(408);
  });

  it.each([
    ['no token', '/api/v1/pause', undefined, 401],
    ['a viewer on an acting route', '/api/v1/pause', `Bearer ${VIEWER}`, 403],
    ['an unknown route', '/api/v1/nope', `Bearer ${OPERATOR}`, 404],
  ])('refuses %s before reading the body, and hangs up', async (_what, path, authorization, status) => {
    const port = await listen({});
    const c = await open(port, slowPostHead(path, authorization));
    await c.closed;
    expect(c.status()).toBe(status);
    expect(c.received()).toMatch(/\r\nConnection: close\r\n/i);
  });

  it('closes a keep-alive connection idle past keepAliveTimeout', async () => {
    const port = await listen({ keepAliveTimeoutMs: 200 });
    const c = await open(port, GET_HEALTH);
    await c.closed;
    expect(c.status()).toBe(200);
  });
});

describe('failed authentication', () => {
  it('does not count requests without a token: unauthenticated noise cannot block an address', async () => {
    const h = await servers.start({ limits: { failedAuth: { max: 3, windowMs: 60_000 } } });
    for (let i = 0; i < 10; i++) expect((await h.app.inject({ url: '/api/v1/status' })).statusCode).toBe(401);
    expect((await h.app.inject({ url: '/api/v1/status', headers: bearer(VIEWER) })).statusCode).toBe(200);
    for (let i = 0; i < 3; i++) await h.app.inject({ url: '/api/v1/status', headers: bearer('wrong-token-0123456789') });
    expect((await h.app.inject({ url: '/api/v1/status', headers: bearer('wrong-token-0123456789') })).statusCode).toBe(429);
    // Another address is not blocked with it.
    expect((await h.app.inject({ url: '/api/v1/status', headers: bearer(OPERATOR), remoteAddress: '192.0.2.1' })).statusCode).toBe(200);
  });
});
