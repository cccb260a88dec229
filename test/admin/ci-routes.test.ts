import { afterEach, describe, expect, it } from 'vitest';
import { target } from '../guard/step/fixtures.ts';
import { bearer, guardingV2, harness, image, OPERATOR, VIEWER, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.close());

const gate = (query: string, token = VIEWER) => h.app.inject({ url: `/api/v1/gate?${query}`, headers: bearer(token) });
const q = (name: string, img: string, extra = '') => `target=${name}&image=${encodeURIComponent(img)}${extra}`;

describe('GET /gate', () => {
  it('passed for an image the target judged good; pending while guarded; failed once judged bad', async () => {
    h = await harness();
    await guardingV2(h);
    expect((await gate(q('api', image(1)))).json()).toMatchObject({ verdict: 'passed', target: 'api', image: image(1) });
    expect((await gate(q('api', image(2)))).json()).toMatchObject({ verdict: 'pending', reason: 'v2 of api carries the image and is pending' });
    expect((await gate(q('api', image(3)))).json()).toMatchObject({ verdict: 'pending', reason: 'image not deployed to api yet' });
    await h.watchdog.runner('api').command({ kind: 'mark', version: 2, verdict: 'bad', by: 'ops' });
    const failed = await gate(q('api', image(2)));
    expect(failed.statusCode).toBe(200);
    expect(failed.json()).toMatchObject({ verdict: 'failed', releases: [{ target: 'api', version: 2, verdict: 'bad' }] });
  });

  it('refuses promoting an image judged bad on another target', async () => {
    h = await harness({ targets: [target, { ...target, name: 'staging', app: 'staging' }] });
    await h.watchdog.pollAll();
    await h.watchdog.runner('staging').command({ kind: 'mark', version: 1, verdict: 'bad', by: 'ops' });
    expect((await gate(q('api', image(1)))).json()).toMatchObject({ verdict: 'failed', reason: expect.stringContaining('staging') });
  });

  it.each([
    [image(1), 200, 'passed'],
    [image(2), 202, 'pending'],
  ])('strict=1 answers %s with %i (%s)', async (img, status, verdict) => {
    h = await harness();
    await guardingV2(h);
    const res = await gate(q('api', img, '&strict=1'));
    expect(res.statusCode).toBe(status);
    expect(res.json().verdict).toBe(verdict);
  });

  it('strict=1 answers failed with 409, so `curl --fail` stops the pipeline', async () => {
    h = await harness();
    await guardingV2(h);
    await h.watchdog.runner('api').command({ kind: 'mark', version: 2, verdict: 'bad', by: 'ops' });
    const res = await gate(q('api', image(2), '&strict=true'));
    expect(res.statusCode).toBe(409);
    expect(res.json().verdict).toBe('failed');
  });

  it.each([
    ['image=x', 400, 'target'],
    ['target=api', 400, 'image'],
    [q('api', 'x', '&strict=yes'), 400, 'strict'],
    [q('api', '-rm'), 400, 'image'],
    [q('nope', 'x'), 404, 'nope'],
  ])('%s → %i naming %s', async (query, status, mention) => {
    h = await harness();
    const res = await gate(query);
    expect(res.statusCode).toBe(status);
    expect(res.json().message).toContain(mention);
  });
});

describe('POST /deploys', () => {
  it('polls the target at once and is audited', async () => {
    h = await harness();
    const res = await h.app.inject({ method: 'POST', url: '/api/v1/deploys', headers: bearer(OPERATOR), payload: { target: 'api', image: image(1) } });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toEqual({ target: 'api', phase: 'guarding', lastSeenVersion: 1 });
    expect((await h.store.listAudit())[0]).toMatchObject({ action: 'deploy-announced', target: 'api', status: 202, params: { body: { target: 'api', image: image(1) } } });
  });
});
