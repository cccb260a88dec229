/** The harness API end to end: apps, images, CI deploys, traffic, and profile switches. */
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { sample, waitFor } from './helpers.ts';

async function status(url: string): Promise<number | string> {
  try {
    const res = await request(url, { reset: true });
    await res.body.dump();
    return res.statusCode;
  } catch (err) {
    return (err as { code?: string }).code ?? 'error';
  }
}

describe('startSimulator', () => {
  let sim: Simulator;

  afterEach(async () => {
    await sim?.close();
  });

  it('adds an app running v1 on 127.0.0.1 with a control URL for the fake fly', async () => {
    sim = await startSimulator({ deployMs: 50 });
    const app = await sim.addApp('api', { profile: 'healthy', machines: 2 });
    expect(sim.controlUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(sim.flyBinary).toMatch(/\/src\/sim\/bin\/fly$/);
    expect(app.url).toBe(sim.appUrl('api'));
    expect(app.imageRef).toBe(sim.currentImage('api'));
    expect(await status(`${app.url}/api/v1/health`)).toBe(200);
    expect(sim.releases('api')).toEqual([{ version: 1, imageRef: app.imageRef, imageDigest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/), status: 'complete', createdAt: expect.any(String), user: 'ci@example.com' }]);
  });

  it('follows deploys: down refuses on the same URL, a later healthy image answers again', async () => {
    sim = await startSimulator({ deployMs: 50, requestRate: 0 });
    const { url } = await sim.addApp('api');
    expect(await sim.deploy('api', sim.buildImage('api', 'down'))).toEqual({ version: 2, status: 'complete' });
    expect(await status(`${url}/api/v1/health`)).toBe('ECONNREFUSED');
    await sim.deploy('api', sim.buildImage('api', 'unready'));
    expect(sim.appUrl('api')).toBe(url);
    expect(await status(`${url}/api/v1/health`)).toBe(200);
    expect(await status(`${url}/api/v1/ready`)).toBe(503);
    expect(sim.releases('api').map((r) => r.version)).toEqual([3, 2, 1]);
  });

  it('deploy with wait=false returns a running release that later completes', async () => {
    sim = await startSimulator({ deployMs: 150, requestRate: 0 });
    await sim.addApp('api');
    const image = sim.buildImage('api', 'healthy');
    expect(await sim.deploy('api', image, { wait: false, user: 'dev@example.com' })).toEqual({ version: 2, status: 'running' });
    expect(sim.releases('api')[0]).toMatchObject({ status: 'running', user: 'dev@example.com' });
    await waitFor(() => sim.releases('api')[0]?.status === 'complete', { what: 'release v2 to complete' });
    expect(sim.currentImage('api')).toBe(image);
    expect(sim.invocations()).toEqual([]);
  });

  it('rejects an unknown image and an invalid profile with stable codes', async () => {
    sim = await startSimulator({ requestRate: 0 });
    await sim.addApp('api');
    await expect(sim.deploy('api', 'registry.fly.io/api:deployment-NOPE')).rejects.toMatchObject({ code: 'SIM_ERR_IMAGE_NOT_FOUND' });
    expect(() => sim.buildImage('api', 'flaky')).toThrow(expect.objectContaining({ code: 'SIM_ERR_PROFILE_INVALID' }));
    await expect(sim.addApp('api')).rejects.toMatchObject({ code: 'SIM_ERR_APP_EXISTS' });
  });

  it('simulated traffic moves the counters; errors:P fails about P% of it', async () => {
    sim = await startSimulator({ deployMs: 50, requestRate: 2000, seed: 11 });
    await sim.addApp('api');
    const total = () => sample(sim.metricsText('api'), 'http_requests_total{status="200"}') + sample(sim.metricsText('api'), 'http_requests_total{status="500"}');
    await waitFor(() => total() >= 500, { what: 'traffic on the healthy app' });

    await sim.deploy('api', sim.buildImage('api', 'errors:30'));
    const start200 = sample(sim.metricsText('api'), 'http_requests_total{status="200"}');
    const start500 = sample(sim.metricsText('api'), 'http_requests_total{status="500"}');
    await waitFor(() => total() - start200 - start500 >= 3000, { what: '3000 requests on errors:30' });
    const ok = sample(sim.metricsText('api'), 'http_requests_total{status="200"}') - start200;
    const failed = sample(sim.metricsText('api'), 'http_requests_total{status="500"}') - start500;
    expect(failed / (ok + failed)).toBeGreaterThan(0.25);
    expect(failed / (ok + failed)).toBeLessThan(0.35);
    expect(sample(sim.metricsText('api'), 'jobs_processed_total{result="failed"}')).toBeGreaterThan(0);
  });

  it('stops traffic while down and can zero counters on restart', async () => {
    sim = await startSimulator({ deployMs: 50, requestRate: 400, resetCountersOnDeploy: true });
    await sim.addApp('api');
    await waitFor(() => sample(sim.metricsText('api'), 'http_requests_total{status="200"}') > 0, { what: 'traffic' });
    await sim.deploy('api', sim.buildImage('api', 'down'));
    const frozen = sim.metricsText('api');
    expect(sample(frozen, 'http_requests_total{status="200"}')).toBe(0);
    await new Promise((resolve) => setTimeout(resolve, 300)); // a few traffic ticks
    expect(sim.metricsText('api')).toBe(frozen);
  });

  it('close() stops every listener', async () => {
    sim = await startSimulator({ requestRate: 0 });
    const { url } = await sim.addApp('api');
    const control = sim.controlUrl;
    await sim.close();
    expect(await status(`${url}/api/v1/health`)).toBe('ECONNREFUSED');
    expect(await status(`${control}/healthz`)).toBe('ECONNREFUSED');
    sim = await startSimulator({ requestRate: 0 }); // afterEach closes this one
  });
});
