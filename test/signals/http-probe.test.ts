import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/infra/clock.ts';
import { HttpProbeProvider, type HttpProbeSpec } from '../../src/signals/http-probe.ts';

let server: Server;
let base: string;

beforeAll(async () => {
  server = createServer((req, res) => {
    if (req.url === '/ok') return res.end('{"status":"ok"}');
    if (req.url === '/health') return res.end(JSON.stringify({ status: 'ok', version: '1.4.2', checks: { db: 'ok', cache: 'degraded' }, regions: ['iad', 'ams'] }));
    if (req.url === '/degraded') return res.end('{"status":"degraded"}');
    if (req.url === '/html') return res.end('<html>ok</html>');
    if (req.url === '/huge') return res.end(`{"status":"ok","pad":"${'x'.repeat(70 * 1024)}"}`);
    if (req.url === '/slow') return void setTimeout(() => res.end('{"status":"ok"}'), 150);
    if (req.url === '/unready') return res.writeHead(503).end('{"status":"starting"}');
    if (req.url === '/hang') return; // never answers
    if (req.url === '/reset') return req.socket.destroy();
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => {
  server.closeAllConnections();
  server.close();
});

const spec = (path: string, over: Partial<HttpProbeSpec> = {}): HttpProbeSpec => ({
  name: 'health',
  type: 'http',
  url: `${base}${path}`,
  method: 'GET',
  expectStatus: [200],
  timeout: 2000,
  ...over,
});

describe('HttpProbeProvider', () => {
  const probe = new HttpProbeProvider(systemClock);
  const run = (s: HttpProbeSpec) => probe.run(s, new AbortController().signal);

  it('when the status is expected then successful, with status and latency kept', async () => {
    const m = await run(spec('/ok'));
    expect(m).toMatchObject({ check: 'health', phase: 'successful', values: { status: 200 } });
    expect(m.detail).toMatch(/^200 in \d+ms$/);
  });

  it('when the app answers with another status then failed', async () => {
    expect(await run(spec('/unready'))).toMatchObject({ phase: 'failed', detail: '503 (expected 200)', values: { status: 503 } });
  });

  it('accepts any of several expected statuses', async () => {
    expect((await run(spec('/unready', { expectStatus: [200, 503] }))).phase).toBe('successful');
  });

  it('when nothing listens then error: connection refused', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    expect(await run(spec('', { url: `http://127.0.0.1:${port}/` }))).toMatchObject({ phase: 'error', detail: 'connection refused' });
  });

  it('when the app does not answer in time then error: timed out', async () => {
    expect(await run(spec('/hang', { timeout: 200 }))).toMatchObject({ phase: 'error', detail: 'timed out after 200ms' });
  });

  it('when the connection drops then error, never a throw', async () => {
    const m = await run(spec('/reset'));
    expect(m.phase).toBe('error');
    expect(m.detail).toMatch(/connection reset|request failed/);
  });

  it('keeps URLs (which may carry tokens) out of the detail', async () => {
    const m = await run(spec('', { url: 'http://127.0.0.1:1/?token=secret-value-123' }));
    expect(JSON.stringify(m)).not.toContain('secret-value-123');
  });

  describe('expectBody (a JSON subset)', () => {
    it.each([
      ['the body contains the keys', '/health', { status: 'ok' }],
      ['nested objects match by subset', '/health', { checks: { db: 'ok' } }],
      ['arrays match exactly', '/health', { regions: ['iad', 'ams'] }],
    ])('when %s then successful', async (_what, path, expectBody) => {
      expect((await run(spec(path, { expectBody }))).phase).toBe('successful');
    });

    it.each([
      ['a value differs', '/degraded', { status: 'ok' }, 'body.status: expected "ok", got "degraded"'],
      ['a nested value differs', '/health', { checks: { cache: 'ok' } }, 'body.checks.cache: expected "ok", got "degraded"'],
      ['a key is missing', '/ok', { version: '1.4.2' }, 'body.version: expected "1.4.2", got nothing'],
      ['an array differs', '/health', { regions: ['iad'] }, 'body.regions: expected ["iad"], got ["iad","ams"]'],
      ['the body is not JSON', '/html', { status: 'ok' }, 'body is not JSON'],
      ['the body is over 64 KiB', '/huge', { status: 'ok' }, 'body over 64 KiB, not checked'],
    ])('when %s then failed, naming the key', async (_what, path, expectBody, detail) => {
      expect(await run(spec(path, { expectBody }))).toMatchObject({ phase: 'failed', detail, values: { status: 200 } });
    });

    it('checks the status first: a wrong status is reported as such', async () => {
      expect(await run(spec('/unready', { expectBody: { status: 'ok' } }))).toMatchObject({ phase: 'failed', detail: '503 (expected 200)' });
    });
  });

  describe('maxLatencyMs', () => {
    it('when a right answer is slower than the limit then failed, with the limit in the detail', async () => {
      const m = await run(spec('/slow', { maxLatencyMs: 50 }));
      expect(m).toMatchObject({ phase: 'failed', values: { status: 200 } });
      expect(m.detail).toMatch(/^200 in \d+ms \(limit 50ms\)$/);
      expect(m.values?.latencyMs).toBeGreaterThan(50);
    });

    it('when within the limit then successful', async () => {
      expect((await run(spec('/ok', { maxLatencyMs: 1500 }))).phase).toBe('successful');
    });
  });
});
