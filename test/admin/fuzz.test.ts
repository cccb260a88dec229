/**
 * 10,000+ malformed requests across every route: no 5xx, every refusal carries one of our codes,
 * and afterwards the watchdog still answers and still guards a new release.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { fuzzCases } from './fuzz-cases.ts';
import { bearer, guardingV2, harness, image, OPERATOR, VIEWER, type Harness } from './harness.ts';

const SEED = 20_261_125;
const COUNT = 10_500;

let h: Harness;
afterEach(() => h?.close());

describe('admin API fuzz', () => {
  it(`survives ${COUNT} malformed requests (seed ${SEED}) without a 5xx`, { timeout: 60_000 }, async () => {
    h = await harness();
    await guardingV2(h);
    const statuses = new Map<number, number>();
    const failures: string[] = [];
    for (const [i, request] of fuzzCases(SEED, COUNT).entries()) {
      const res = await h.app.inject(request);
      statuses.set(res.statusCode, (statuses.get(res.statusCode) ?? 0) + 1);
      const uncoded = res.statusCode >= 400 && request.method !== 'HEAD' && !/"code":"WD_ERR_[A-Z_]+"/.test(res.body);
      if (res.statusCode >= 500 || uncoded) failures.push(`#${i} ${request.method} ${String(request.url).slice(0, 120)} → ${res.statusCode} ${res.body.slice(0, 200)}`);
    }
    expect(failures.slice(0, 10)).toEqual([]);
    // The cases must reach the handlers, not only the front door: validation, auth and actions all answered.
    for (const status of [200, 400, 401, 403, 404, 413, 415]) expect(statuses.get(status) ?? 0).toBeGreaterThan(0);

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
