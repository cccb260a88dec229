import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { AppMetrics } from '../../src/sim/app-metrics.ts';
import { FakeApp } from '../../src/sim/fake-app.ts';
import { parseProfile } from '../../src/sim/profile.ts';
import { mulberry32 } from '../../src/sim/prng.ts';

async function get(url: string): Promise<{ status: number; body: string; ms: number }> {
  const started = performance.now();
  const res = await request(url);
  return { status: res.statusCode, body: await res.body.text(), ms: performance.now() - started };
}

async function refused(url: string): Promise<string | undefined> {
  try {
    // A fresh connection: a pooled one could hide that the listener is gone.
    await request(url, { reset: true });
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

describe('FakeApp', () => {
  let app: FakeApp;
  let metrics: AppMetrics;

  async function start(profile: string, seed = 1) {
    metrics = new AppMetrics();
    app = new FakeApp({ name: 'api', metrics, rng: mulberry32(seed) });
    await app.start(parseProfile(profile));
    return app;
  }

  afterEach(async () => {
    await app.close();
  });

  it('healthy: health and ready answer {"status":"ok"} on 127.0.0.1', async () => {
    await start('healthy');
    expect(app.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(await get(`${app.url}/api/v1/health`)).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect(await get(`${app.url}/api/v1/ready`)).toMatchObject({ status: 200, body: '{"status":"ok"}' });
    expect((await get(`${app.url}/nope`)).status).toBe(404);
    expect(metrics.requestCount(200)).toBe(2);
  });

  it('down: refuses connections, then listens again on the same port', async () => {
    await start('healthy');
    const url = app.url;
    await app.setProfile(parseProfile('down'));
    expect(await refused(`${url}/api/v1/health`)).toBe('ECONNREFUSED');
    await app.setProfile(parseProfile('healthy'));
    expect(app.url).toBe(url);
    expect((await get(`${url}/api/v1/health`)).status).toBe(200);
  });

  it('down from the start still owns a port for later', async () => {
    await start('down');
    expect(app.port).toBeGreaterThan(0);
    expect(await refused(`${app.url}/api/v1/health`)).toBe('ECONNREFUSED');
    await app.setProfile(parseProfile('healthy'));
    expect((await get(`${app.url}/api/v1/health`)).status).toBe(200);
  });

  it('unready: health 200, ready 503', async () => {
    await start('unready');
    expect((await get(`${app.url}/api/v1/health`)).status).toBe(200);
    const ready = await get(`${app.url}/api/v1/ready`);
    expect(ready.status).toBe(503);
    expect(JSON.parse(ready.body)).toMatchObject({ status: 'unavailable' });
  });

  it('errors:P: about P% of requests answer 500, probes included', async () => {
    await start('errors:25', 7);
    const statuses: number[] = [];
    for (let i = 0; i < 400; i++) statuses.push((await get(`${app.url}/api/v1/health`)).status);
    const failed = statuses.filter((s) => s === 500).length;
    // Seeded: the count is fixed for this seed; the bounds say "about 25%", not "exactly N".
    expect(failed).toBeGreaterThan(70);
    expect(failed).toBeLessThan(130);
    expect(metrics.requestCount(500)).toBe(failed);
  });

  it('slow:MS: delays responses by MS', async () => {
    await start('slow:150');
    const res = await get(`${app.url}/api/v1/health`);
    expect(res.status).toBe(200);
    expect(res.ms).toBeGreaterThanOrEqual(145);
  });

  it('serves Prometheus text on /metrics, not counted and never failed', async () => {
    await start('errors:100');
    await get(`${app.url}/api/v1/health`);
    const res = await get(`${app.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.body).toContain('http_requests_total{status="500"} 1\n');
    expect(res.body).not.toContain('status="200"');
  });
});

describe('FakeApp: port taken while down', () => {
  it('stays down and still accepts later profile changes', async () => {
    const app = new FakeApp({ name: 'api', metrics: new AppMetrics(), rng: mulberry32(1) });
    await app.start(parseProfile('down'));
    const { createServer } = await import('node:net');
    const squatter = createServer();
    await new Promise<void>((resolve) => squatter.listen(app.port, '127.0.0.1', resolve));
    try {
      await expect(app.setProfile(parseProfile('healthy'))).rejects.toMatchObject({ code: 'EADDRINUSE' });
      expect(app.profile).toEqual({ kind: 'down' });
      await app.setProfile(parseProfile('down'));
      expect(app.listening).toBe(false);
    } finally {
      squatter.close();
      await app.close();
    }
  });
});
