import { createServer, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requestOnce } from '../../../src/infra/http/request-once.ts';

let server: Server;
let base: string;
const sockets = new Set<Socket>();
const seen: { method: string; connection: string | undefined; accept: string | undefined }[] = [];

beforeAll(async () => {
  server = createServer((req, res) => {
    seen.push({ method: req.method ?? '', connection: req.headers.connection, accept: req.headers.accept });
    if (req.url === '/hang') return;
    if (req.url === '/big') return res.end('x'.repeat(100_000));
    if (req.url === '/chunked') {
      res.write('{"a":');
      setTimeout(() => res.end('1}'), 20);
      return;
    }
    res.writeHead(req.url === '/missing' ? 404 : 200).end('{"status":"ok"}');
  });
  server.on('connection', (socket: Socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const get = (path: string, over: Partial<Parameters<typeof requestOnce>[1]> = {}) =>
  requestOnce(`${base}${path}`, { method: 'GET', signal: new AbortController().signal, maxBodyBytes: 1024, ...over });

describe('requestOnce', () => {
  it('answers status and body, on a connection of its own that is closed afterwards', async () => {
    const before = sockets.size;
    const a = await get('/ok', { headers: { accept: 'application/json' } });
    const b = await get('/missing');
    expect([a.status, a.body?.toString()]).toEqual([200, '{"status":"ok"}']);
    expect(b.status).toBe(404);
    expect(sockets.size - before).toBe(2);
    expect(seen.at(-2)).toMatchObject({ connection: 'close', accept: 'application/json' });
  });

  it('reads a body that arrives in pieces', async () => {
    expect((await get('/chunked')).body?.toString()).toBe('{"a":1}');
  });

  it('when the body is over the limit then body is undefined and the rest is not read', async () => {
    expect(await get('/big')).toEqual({ status: 200, body: undefined });
  });

  it('HEAD has an empty body', async () => {
    expect(await get('/ok', { method: 'HEAD' })).toEqual({ status: 200, body: Buffer.alloc(0) });
    expect(seen.at(-1)?.method).toBe('HEAD');
  });

  it('an abort destroys the request and rejects with an AbortError', async () => {
    const controller = new AbortController();
    const pending = get('/hang', { signal: controller.signal });
    setTimeout(() => controller.abort(new DOMException('late', 'TimeoutError')), 50);
    await expect(pending).rejects.toMatchObject({ name: 'AbortError' });
  });

  it('a refused connection rejects with ECONNREFUSED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expect(requestOnce(`http://127.0.0.1:${port}/`, { method: 'GET', signal: new AbortController().signal, maxBodyBytes: 10 })).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});
