import { afterEach, describe, expect, it } from 'vitest';
import { TokenAuth } from '../src/admin/auth.ts';
import { buildApp } from '../src/app.ts';
import { systemClock } from '../src/infra/clock.ts';
import { Watchdog } from '../src/guard/watchdog.ts';
import { PromMetrics } from '../src/metrics/prom.ts';
import { Readiness } from '../src/infra/readiness.ts';
import { SqliteStore } from '../src/store/sqlite-store.ts';
import { FakePlatform } from './fakes/fake-platform.ts';
import { captureLogger } from './fakes/logger.ts';
import { ScriptedProbe } from './fakes/scripted-probe.ts';
import { image, target } from './guard/step/fixtures.ts';

const OPERATOR = 'operator-token-0123456789';
const VIEWER = 'viewer-token-0123456789ab';

async function setup(tokens = [{ name: 'ops', role: 'operator' as const, token: OPERATOR }, { name: 'grafana', role: 'viewer' as const, token: VIEWER }]) {
  const platform = new FakePlatform();
  platform.release('api', image(1));
  const metrics = new PromMetrics({ defaultMetrics: false });
  const { logger } = captureLogger();
  const watchdog = await Watchdog.open({
    targets: [target],
    pollSchedule: '0 0 1 1 *', // effectively never during a test: polls are driven by hand
    platform,
    store: new SqliteStore(':memory:'),
    signals: new ScriptedProbe().signals,
    clock: systemClock,
    logger,
    metrics,
    postmortemAfterMs: 300_000,
  });
  const app = buildApp({ watchdog, auth: new TokenAuth(tokens), logger, registry: metrics.registry });
  return { app, watchdog, platform };
}

let cleanup: (() => Promise<void>) | undefined;
afterEach(async () => {
  await cleanup?.();
  cleanup = undefined;
});

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('admin app', () => {
  it('serves liveness always, and readiness once releases were read', async () => {
    const { app, watchdog } = await setup();
    cleanup = () => watchdog.stop(0);
    expect((await app.inject('/healthz')).statusCode).toBe(200);
    expect((await app.inject('/readyz')).statusCode).toBe(503);
    await watchdog.pollAll();
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('fails readiness, with the reasons and scopes and no error text, while the guard cannot work', async () => {
    const platform = new FakePlatform();
    platform.release('api', image(1));
    const metrics = new PromMetrics({ defaultMetrics: false });
    const { logger } = captureLogger();
    const readiness = new Readiness({ logger, now: () => 0 });
    readiness.onChange((reason, count) => metrics.setNotReady(reason, count));
    const watchdog = await Watchdog.open({ targets: [target], pollSchedule: '0 0 1 1 *', platform, store: new SqliteStore(':memory:'), signals: new ScriptedProbe().signals, clock: systemClock, logger, metrics, postmortemAfterMs: 300_000, readiness });
    cleanup = () => watchdog.stop(0);
    const app = buildApp({ watchdog, auth: new TokenAuth([]), logger, registry: metrics.registry, readiness });
    await watchdog.pollAll();
    readiness.fail('guard-steps-failing', 'api', 'SQLITE_FULL: database or disk is full at /secret/path');
    const res = await app.inject('/readyz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toEqual({ status: 'not-ready', reasons: [{ reason: 'guard-steps-failing', scope: 'api' }] });
    expect((await app.inject('/metrics')).body).toContain('rollback_watchdog_not_ready{reason="guard-steps-failing"} 1');
    readiness.clear('guard-steps-failing', 'api');
    expect((await app.inject('/readyz')).json()).toEqual({ status: 'ready' });
  });

  it('serves Prometheus metrics without a token', async () => {
    const { app, watchdog } = await setup();
    cleanup = () => watchdog.stop(0);
    await watchdog.pollAll();
    const res = await app.inject('/metrics');
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.body).toContain('rollback_watchdog_target_state{target="api",environment="production",state="guarding"} 1');
  });

  it.each([
    ['GET', '/api/v1/status', undefined, undefined, 401],
    ['GET', '/api/v1/status', 'wrong-token-0123456789', undefined, 401],
    ['GET', '/api/v1/status', VIEWER, undefined, 200],
    ['GET', '/api/v1/status', OPERATOR, undefined, 200],
    ['POST', '/api/v1/deploys', undefined, { target: 'api' }, 401],
    ['POST', '/api/v1/deploys', VIEWER, { target: 'api' }, 403],
    ['POST', '/api/v1/deploys', OPERATOR, { target: 'api' }, 202],
  ] as const)('%s %s with token %s → %i', async (method, url, token, payload, status) => {
    const { app, watchdog } = await setup();
    cleanup = () => watchdog.stop(0);
    const res = await app.inject({ method, url, ...(token && { headers: bearer(token) }), ...(payload && { payload }) });
    expect(res.statusCode).toBe(status);
    if (status >= 400) expect(res.json().code).toMatch(/^WD_ERR_/);
  });

  it('POST /deploys polls the target at once and starts its guard', async () => {
    const { app, watchdog } = await setup();
    cleanup = () => watchdog.stop(0);
    const res = await app.inject({ method: 'POST', url: '/api/v1/deploys', headers: bearer(OPERATOR), payload: { target: 'api', commitSha: 'abc1234' } });
    expect(res.json()).toEqual({ target: 'api', phase: 'guarding', lastSeenVersion: 1 });
    const status = await app.inject({ url: '/api/v1/status', headers: bearer(VIEWER) });
    expect(status.json().targets[0]).toMatchObject({ name: 'api', phase: 'guarding', guard: { version: 1, imageRef: image(1) } });
  });

  it.each([
    [{ target: 'nope' }, 404, 'WD_ERR_TARGET_UNKNOWN', 'nope'],
    [{ target: 'api', version: -1 }, 400, 'WD_ERR_BAD_REQUEST', 'version'],
    [{ target: 'api', commitSha: 'not-a-sha' }, 400, 'WD_ERR_BAD_REQUEST', 'commitSha'],
    [{ target: 'api', extra: 1 }, 400, 'WD_ERR_BAD_REQUEST', 'extra'],
    [{}, 400, 'WD_ERR_BAD_REQUEST', 'target'],
  ])('POST /deploys %j → %i naming the problem', async (payload, status, code, mention) => {
    const { app, watchdog } = await setup();
    cleanup = () => watchdog.stop(0);
    const res = await app.inject({ method: 'POST', url: '/api/v1/deploys', headers: bearer(OPERATOR), payload });
    expect(res.statusCode).toBe(status);
    expect(res.json()).toMatchObject({ code });
    expect(res.json().message).toContain(mention);
  });

  it('rejects a body that is not JSON with 400, not 500', async () => {
    const { app, watchdog } = await setup();
    cleanup = () => watchdog.stop(0);
    const res = await app.inject({ method: 'POST', url: '/api/v1/deploys', headers: { ...bearer(OPERATOR), 'content-type': 'application/json' }, payload: '{"target":' });
    expect(res.statusCode).toBe(400);
  });

  it('with no tokens configured (loopback only), everything is allowed', async () => {
    const { app, watchdog } = await setup([]);
    cleanup = () => watchdog.stop(0);
    expect((await app.inject({ method: 'POST', url: '/api/v1/deploys', payload: { target: 'api' } })).statusCode).toBe(202);
  });
});

describe('GET /api/v1/targets/:name/releases', () => {
  it('lists releases with verdicts, newest first', async () => {
    const { app, watchdog, platform } = await setup();
    cleanup = () => watchdog.stop(0);
    platform.release('api', image(2));
    await watchdog.pollAll();
    const res = await app.inject({ url: '/api/v1/targets/api/releases?limit=5', headers: bearer(VIEWER) });
    expect(res.statusCode).toBe(200);
    expect(res.json().releases.map((r: { version: number; verdict: string }) => [r.version, r.verdict])).toEqual([
      [2, 'pending'],
      [1, 'unknown'], // superseded by v2 before it was ever guarded
    ]);
  });

  it.each([
    ['/api/v1/targets/nope/releases', 404],
    ['/api/v1/targets/api/releases?limit=0', 400],
    ['/api/v1/targets/api/releases?limit=abc', 400],
  ])('%s → %i', async (url, status) => {
    const { app, watchdog } = await setup();
    cleanup = () => watchdog.stop(0);
    expect((await app.inject({ url, headers: bearer(VIEWER) })).statusCode).toBe(status);
  });
});

// buildApp's optional deps, as main.ts calls it today (no store, no clock, no rate-limit options).
describe('buildApp defaults', () => {
  it('limits acting routes to 30 per minute per token, and never limits reads', async () => {
    const { app, watchdog } = await setup();
    cleanup = () => watchdog.stop(0);
    const statuses: number[] = [];
    for (let i = 0; i < 31; i++) statuses.push((await app.inject({ method: 'POST', url: '/api/v1/resume', headers: bearer(OPERATOR) })).statusCode);
    expect(statuses.slice(0, 30).every((s) => s === 200)).toBe(true);
    expect(statuses[30]).toBe(429);
    for (let i = 0; i < 40; i++) expect((await app.inject({ url: '/api/v1/status', headers: bearer(VIEWER) })).statusCode).toBe(200);
  });

  it('without a store, the audit trail and journal answer 503 and acting still works', async () => {
    const { app, watchdog } = await setup();
    cleanup = () => watchdog.stop(0);
    expect((await app.inject({ method: 'POST', url: '/api/v1/pause', headers: bearer(OPERATOR) })).statusCode).toBe(200);
    expect((await app.inject({ url: '/api/v1/audit', headers: bearer(OPERATOR) })).json().code).toBe('WD_ERR_STORE_UNAVAILABLE');
  });

  it('serves the OpenAPI document and Swagger UI without a token', async () => {
    const { app, watchdog } = await setup();
    cleanup = () => watchdog.stop(0);
    expect((await app.inject('/docs/json')).json().info.title).toBe('rollback-watchdog admin API');
    expect((await app.inject('/docs/')).statusCode).toBe(200);
  });
});
