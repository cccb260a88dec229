/**
 * Caps on GET /api/v1/events (issue 16: 1,100 streams with one viewer token exhausted the daemon's
 * files): per token 429, in all 503, both with Retry-After, and a closed stream frees its place.
 */
import { describe, expect, it } from 'vitest';
import type { AdminLimits } from '../../src/admin/limits.ts';
import { rawConnect, streamRequest, waitFor, type RawConnection } from '../support/raw-http.ts';
import { OPERATOR, VIEWER } from './harness.ts';
import { adminServers } from './servers.ts';

const servers = adminServers();

const listen = async (limits: Partial<AdminLimits>) => (await servers.listen({ limits })).port;

async function stream(port: number, token: string): Promise<RawConnection> {
  const c = await rawConnect(port, streamRequest(`Bearer ${token}`));
  servers.keep(c);
  await waitFor(() => c.status() !== undefined, 'an answer');
  return c;
}

describe('event stream caps', () => {
  it('refuses a token past its own cap with 429 WD_ERR_STREAM_LIMIT and Retry-After; other tokens go on', async () => {
    const port = await listen({ eventStreamsPerToken: 2, eventStreams: 10 });
    const first = await stream(port, VIEWER);
    await stream(port, VIEWER);
    const third = await stream(port, VIEWER);
    expect(third.status()).toBe(429);
    expect(third.received()).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(third.received()).toContain('"code":"WD_ERR_STREAM_LIMIT"');
    await third.closed;
    expect((await stream(port, OPERATOR)).status()).toBe(200);
    first.destroy();
    await waitFor(() => first.isClosed(), 'the first stream to close');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect((await stream(port, VIEWER)).status()).toBe(200);
  });

  it('refuses any token past the cap in all with 503 WD_ERR_SERVER_BUSY and Retry-After', async () => {
    const port = await listen({ eventStreamsPerToken: 10, eventStreams: 3 });
    for (let i = 0; i < 3; i++) expect((await stream(port, i % 2 ? VIEWER : OPERATOR)).status()).toBe(200);
    const over = await stream(port, OPERATOR);
    expect(over.status()).toBe(503);
    expect(over.received()).toMatch(/\r\nretry-after: 5\r\n/i);
    expect(over.received()).toContain('"code":"WD_ERR_SERVER_BUSY"');
  });
});
