import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { AdminClient, ApiError } from '../../src/client/api-client.ts';

// A real local server on port 0 stands in for the daemon (or for whatever else answers on its port).
let server: Server | undefined;
let client: AdminClient | undefined;
afterEach(async () => {
  await client?.close();
  await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
  server = undefined;
});

async function answer(handler: (req: IncomingMessage, res: ServerResponse, body: string) => void): Promise<string> {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c) => (body += c));
    req.on('end', () => handler(req, res, body));
  });
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

describe('AdminClient', () => {
  it('sends the token as a bearer header and the body as JSON', async () => {
    const seen: { auth?: string; type?: string; body?: string }[] = [];
    const url = await answer((req, res, body) => {
      seen.push({ auth: req.headers.authorization, type: req.headers['content-type'], body });
      res.setHeader('content-type', 'application/json').end('{"ok":true}');
    });
    client = new AdminClient({ url: `${url}/`, token: 'tok-0123456789abcdef' });
    expect(await client.post('/api/v1/pause', { reason: 'x' })).toEqual({ status: 200, body: { ok: true } });
    expect(seen).toEqual([{ auth: 'Bearer tok-0123456789abcdef', type: 'application/json', body: '{"reason":"x"}' }]);
  });

  it('sends no Authorization header without a token', async () => {
    let auth: string | undefined = 'unset';
    const url = await answer((req, res) => {
      auth = req.headers.authorization;
      res.end('{}');
    });
    client = new AdminClient({ url });
    await client.get('/api/v1/status');
    expect(auth).toBeUndefined();
  });

  it("turns the API's error body into an ApiError with its code", async () => {
    const url = await answer((_req, res) => res.writeHead(409).end('{"statusCode":409,"code":"WD_ERR_NOT_HELD","error":"Conflict","message":"not held"}'));
    client = new AdminClient({ url });
    await expect(client.post('/x')).rejects.toEqual(expect.objectContaining({ status: 409, code: 'WD_ERR_NOT_HELD', message: 'not held' }));
    await expect(client.post('/x')).rejects.toBeInstanceOf(ApiError);
  });

  it.each([
    ['a proxy error page', 502, '<html>Bad Gateway</html>'],
    ['a 200 that is not JSON', 200, 'hello'],
  ])('%s is WD_ERR_DAEMON_ANSWER_INVALID', async (_label, status, text) => {
    const url = await answer((_req, res) => res.writeHead(status).end(text));
    client = new AdminClient({ url });
    await expect(client.get('/api/v1/status')).rejects.toEqual(expect.objectContaining({ code: 'WD_ERR_DAEMON_ANSWER_INVALID' }));
  });

  it('a daemon that never answers is WD_ERR_DAEMON_UNREACHABLE after the timeout', async () => {
    const url = await answer(() => {}); // accepts, reads, never responds
    client = new AdminClient({ url, timeoutMs: 200 });
    await expect(client.get('/api/v1/status')).rejects.toEqual(expect.objectContaining({ code: 'WD_ERR_DAEMON_UNREACHABLE' }));
  });

  it('a refused connection is WD_ERR_DAEMON_UNREACHABLE naming the cause', async () => {
    const url = await answer((_req, res) => res.end('{}'));
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    client = new AdminClient({ url, token: 'tok-0123456789abcdef' });
    const err = (await client.get('/api/v1/status').catch((e: unknown) => e)) as Error;
    expect(err).toMatchObject({ code: 'WD_ERR_DAEMON_UNREACHABLE', message: expect.stringContaining('ECONNREFUSED') });
    expect(err.message).not.toContain('tok-0123456789abcdef');
  });
});
