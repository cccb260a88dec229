/**
 * 12,000 malformed requests across every route the admin server registers: no 5xx, every refusal
 * carries one of our codes, no token reaches the audit trail, and afterwards the watchdog still
 * answers and still guards a new release. Runs with the default limits (failed-auth limit on).
 */
import type { InjectOptions } from 'fastify';
import { afterEach, describe, expect, it } from 'vitest';
import { ADDRESSES, fuzzCases, ROUTES } from './fuzz-cases.ts';
import { bearer, guardingV2, harness, image, OPERATOR, VIEWER, type Harness } from './harness.ts';

const SEED = 20_261_125;
const COUNT = 12_000;

let h: Harness;
afterEach(() => h?.close());

/** Internals of the docs UI and the catch-all 404 routes: not routes of ours to fuzz by name. */
const NOT_OURS = /^\/docs\/static\/|\*$/;

async function send(app: Harness['app'], request: InjectOptions): Promise<{ status: number; body: string }> {
  // The event stream never ends: read its status, then hang up, as a client would.
  const stream = typeof request.url === 'string' && request.url.startsWith('/api/v1/events');
  const res = await app.inject({ ...request, ...(stream && { payloadAsStream: true }) });
  if (!stream) return { status: res.statusCode, body: res.body };
  const body = res.stream();
  if (res.statusCode === 200) {
    body.destroy();
    return { status: 200, body: '' };
  }
  const chunks: Buffer[] = [];
  for await (const chunk of body) chunks.push(chunk as Buffer);
  return { status: res.statusCode, body: Buffer.concat(chunks).toString('utf8') };
}

describe('admin API fuzz', () => {
  it(`survives ${COUNT} malformed requests (seed ${SEED}) over every route without a 5xx`, { timeout: 60_000 }, async () => {
    h = await harness();
    const registered: string[] = ['GET /healthz', 'GET /readyz', 'GET /metrics'];
    h.app.addHook('onRoute', (route) => {
      for (const method of [route.method].flat()) if (method !== 'HEAD' && !NOT_OURS.test(route.url)) registered.push(`${method} ${route.url}`);
    });
    await h.app.ready();
    const fuzzed = new Set(ROUTES.map(([method, url]) => `${method} ${url}`));
    expect(registered.length).toBeGreaterThan(30);
    expect(registered.filter((r) => !fuzzed.has(r))).toEqual([]);
    await guardingV2(h);

    // Each valid token authenticates once from each address, as a real operator's would have.
    for (const remoteAddress of ADDRESSES) for (const token of [OPERATOR, VIEWER]) await h.app.inject({ url: '/api/v1/whoami', headers: bearer(token), remoteAddress });

    const started = performance.now();
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (const [i, request] of fuzzCases(SEED, COUNT).entries()) {
      const res = await send(h.app, request);
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      const uncoded = res.status >= 400 && request.method !== 'HEAD' && !/"code":"WD_ERR_[A-Z_]+"/.test(res.body);
      if (res.status >= 500 || uncoded) failures.push(`#${i} ${request.method} ${String(request.url).slice(0, 120)} → ${res.status} ${res.body.slice(0, 200)}`);
    }
    const ms = Math.round(performance.now() - started);
    const fivexx = [...statuses].filter(([s]) => s >= 500).reduce((n, [, c]) => n + c, 0);
    console.log(`fuzz: ${COUNT} requests over ${ROUTES.length} routes in ${ms} ms; ${fivexx} answers of 5xx; statuses ${JSON.stringify(Object.fromEntries([...statuses].sort(([a], [b]) => a - b)))}`);
    expect(failures.slice(0, 10)).toEqual([]);
    // The cases must reach the handlers, not only the front door: validation, auth, limits and actions all answered.
    for (const status of [200, 400, 401, 403, 404, 413, 415, 429]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);

    // The audit trail stayed bounded and clean.
    await h.app.auditTrail.flush(true);
    const audit = JSON.stringify(await h.store.listAudit(100_000));
    for (const token of [OPERATOR, VIEWER]) expect(audit).not.toContain(token);
    expect(audit.length).toBeLessThan(COUNT * 400);

    // Still serving, and the engine still works: a new release starts a guard.
    expect((await h.app.inject({ url: '/api/v1/status', headers: bearer(VIEWER) })).statusCode).toBe(200);
    h.platform.finishDeploys();
    h.platform.release('api', image(77));
    const deploy = await h.app.inject({ method: 'POST', url: '/api/v1/deploys', headers: bearer(OPERATOR), payload: { target: 'api' } });
    expect(deploy.statusCode).toBe(202);
    expect(h.state().phase).toBe('guarding');
    expect(h.state().guard?.release.imageRef).toBe(image(77));
  });
});
