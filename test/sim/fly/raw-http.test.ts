import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseResponse, rawRequest } from '../../../src/sim/fly/raw-http.ts';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString()));
    req.on('end', () => {
      if (req.url === '/slow') return void setTimeout(() => res.end('{"late":true}'), 100); // a long poll
      if (req.url === '/chunked') {
        res.write('{"a":');
        return void setTimeout(() => res.end('"é"}'), 10);
      }
      res.writeHead(req.url === '/missing' ? 404 : 200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ method: req.method, url: req.url, auth: req.headers.authorization ?? null, body }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

describe('rawRequest', () => {
  it('sends method, path, query, headers and a body; reads status and JSON', async () => {
    const res = await rawRequest('POST', `${base}/invocations?x=1`, { authorization: 'Bearer t', 'content-type': 'application/json' }, '{"argv":["releases"]}');
    expect(res.status).toBe(200);
    expect(JSON.parse(res.body)).toEqual({ method: 'POST', url: '/invocations?x=1', auth: 'Bearer t', body: '{"argv":["releases"]}' });
  });

  it('waits for a long-polled answer', async () => {
    expect(JSON.parse((await rawRequest('GET', `${base}/slow`, {})).body)).toEqual({ late: true });
  });

  it('decodes a chunked body, multi-byte characters included', async () => {
    expect((await rawRequest('GET', `${base}/chunked`, {})).body).toBe('{"a":"é"}');
  });

  it('reports a non-2xx status with its text', async () => {
    const res = await rawRequest('GET', `${base}/missing`, {});
    expect([res.status, res.statusText]).toEqual([404, 'Not Found']);
  });

  it('a refused connection rejects with code ECONNREFUSED', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise((resolve) => closed.close(resolve));
    await expect(rawRequest('GET', `http://127.0.0.1:${port}/`, {})).rejects.toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('parseResponse', () => {
  it('cuts the body at content-length', () => {
    const res = parseResponse(Buffer.from('HTTP/1.1 201 Created\r\nContent-Length: 2\r\nX-A: b\r\n\r\nokEXTRA'));
    expect(res).toEqual({ status: 201, statusText: 'Created', headers: { 'content-length': '2', 'x-a': 'b' }, body: 'ok' });
  });

  it.each([
    ['no blank line after the headers', 'HTTP/1.1 200 OK\r\nContent-Length: 2'],
    ['not HTTP', 'SSH-2.0-OpenSSH\r\n\r\n'],
    ['a chunked body cut short', 'HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nab'],
  ])('when %s then it rejects with UND_ERR_SOCKET', (_what, raw) => {
    expect(() => parseResponse(Buffer.from(raw))).toThrow(expect.objectContaining({ code: 'UND_ERR_SOCKET' }));
  });
});
