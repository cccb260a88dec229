import type { FastifyInstance } from 'fastify';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { buildControlServer } from '../../src/sim/control-server.ts';
import { SimBackend } from '../../src/sim/sim-backend.ts';
import type { DeployAccepted, SimImage, SimRelease } from '../../src/sim/sim-types.ts';

describe('control server', () => {
  let backend: SimBackend;
  let server: FastifyInstance;

  beforeEach(async () => {
    backend = new SimBackend({ deployMs: 50, seed: 1, now: () => Date.now(), requestRate: 0 });
    server = buildControlServer(backend);
    await backend.addApp('api', { profile: 'healthy' });
  });

  afterEach(async () => {
    await backend.close();
    await server.close();
  });

  it.each([
    ['Bearer fo1_token', 200],
    ['FlyV1 fm2_macaroon,fm2_other', 200],
    ['FlyV1 FlyV1 fm2_macaroon', 401],
    ['Bearer Bearer fo1_token', 401],
    ['FlyV1 fo1_token', 401],
    ['fm2_macaroon', 401],
  ])('the Machines API takes `%s` as fly-go would send it: %i', async (authorization, status) => {
    expect((await server.inject({ url: '/v1/apps/api/machines', headers: { authorization } })).statusCode).toBe(status);
  });

  it('lists apps and releases', async () => {
    const apps = await server.inject({ url: '/apps' });
    expect(apps.json()).toEqual([expect.objectContaining({ name: 'api', version: 1, profile: 'healthy' })]);
    const releases = await server.inject({ url: '/apps/api/releases' });
    expect(releases.json<SimRelease[]>().map((r) => r.version)).toEqual([1]);
  });

  it('pushes an image, deploys it and long-polls the deploy to completion', async () => {
    const image = (await server.inject({ method: 'POST', url: '/images', payload: { app: 'api', profile: 'errors:10' } })).json<SimImage>();
    const deploy = await server.inject({ method: 'POST', url: '/apps/api/deploys', payload: { image: image.ref, strategy: 'immediate' } });
    expect(deploy.statusCode).toBe(201);
    const { release, imageId } = deploy.json<DeployAccepted>();
    // immediate waits for no machine: the release is complete as soon as it is accepted.
    expect(release).toMatchObject({ version: 2, status: 'complete', strategy: 'immediate' });
    expect(imageId).toBe(image.id);
    const done = await server.inject({ url: `/apps/api/deploys/${release.id}?waitMs=5000` });
    expect(done.json()).toMatchObject({ version: 2, status: 'complete' });
    expect((await server.inject({ url: '/apps/api' })).json()).toMatchObject({ version: 2, profile: 'errors:10', imageRef: image.ref });
  });

  it.each([
    ['an unknown app', 'POST', '/apps/ghost/deploys', { image: 'x' }, 404, 'SIM_ERR_APP_NOT_FOUND'],
    ['an unknown image', 'POST', '/apps/api/deploys', { image: 'registry.fly.io/api:nope' }, 404, 'SIM_ERR_IMAGE_NOT_FOUND'],
    ['an invalid profile', 'POST', '/images', { app: 'api', profile: 'wobbly' }, 400, 'SIM_ERR_PROFILE_INVALID'],
    ['a malformed fault', 'POST', '/faults', { command: 'releases', mode: 'explode' }, 400, 'SIM_ERR_BAD_REQUEST'],
    ['a duplicate app', 'POST', '/apps', { name: 'api' }, 409, 'SIM_ERR_APP_EXISTS'],
  ] as const)('when %s then %i with a stable code', async (_, method, url, payload, statusCode, code) => {
    const res = await server.inject({ method, url, payload });
    expect(res.statusCode).toBe(statusCode);
    expect(res.json()).toMatchObject({ code });
  });

  it('records invocations and hands out pending faults once per matching call', async () => {
    await server.inject({ method: 'POST', url: '/faults', payload: { command: 'status', mode: 'exit1' } });
    const first = await server.inject({ method: 'POST', url: '/invocations', payload: { argv: ['status', '-a', 'api'], command: 'status' } });
    const second = await server.inject({ method: 'POST', url: '/invocations', payload: { argv: ['status', '-a', 'api'], command: 'status' } });
    expect(first.json()).toMatchObject({ fault: 'exit1' });
    expect(second.json()).toMatchObject({ fault: null });
    expect((await server.inject({ url: '/invocations' })).json()).toHaveLength(2);
    await server.inject({ method: 'DELETE', url: '/invocations' });
    expect((await server.inject({ url: '/invocations' })).json()).toEqual([]);
  });

  it('serves status with machines, logs and metrics for an app', async () => {
    const status = (await server.inject({ url: '/apps/api/status' })).json();
    expect(status).toMatchObject({ name: 'api', version: 1, deployed: true });
    expect(status.machines[0].checks.map((c: { status: string }) => c.status)).toEqual(['passing', 'passing']);
    const logs = (await server.inject({ url: '/apps/api/logs?after=0' })).json();
    expect(logs[0]).toMatchObject({ provider: 'app', seq: 1 });
    const metrics = await server.inject({ url: '/apps/api/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('# TYPE http_requests_total counter');
  });
});

describe('control server: a down app', () => {
  it('reports its machines stopped with critical checks', async () => {
    const backend = new SimBackend({ deployMs: 10, seed: 1, now: () => Date.now(), requestRate: 0 });
    const server = buildControlServer(backend);
    try {
      await backend.addApp('api', { profile: 'down' });
      const [machine] = (await server.inject({ url: '/apps/api/machines' })).json();
      expect(machine.state).toBe('stopped');
      expect(machine.checks.map((c: { status: string }) => c.status)).toEqual(['critical', 'critical']);
    } finally {
      await backend.close();
      await server.close();
    }
  });
});
