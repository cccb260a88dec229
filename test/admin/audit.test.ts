import { afterEach, describe, expect, it } from 'vitest';
import { bearer, guardingV2, harness, OPERATOR, VIEWER, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.close());

describe('audit trail', () => {
  it('records every act with actor, role, action, target, params and outcome; refusals counted per source and minute', async () => {
    h = await harness({ rateLimit: { max: 6, windowMs: 60_000 } });
    await guardingV2(h);
    const post = (url: string, token: string | undefined, payload?: object) =>
      h.app.inject({ method: 'POST', url: `/api/v1${url}`, ...(token && { headers: bearer(token) }), ...(payload && { payload }) });
    await post('/targets/api/rollback', OPERATOR, { version: 1 }); // 202
    await post('/targets/api/rollback', OPERATOR, { version: 1 }); // 409 in progress
    await post('/targets/api/pause', OPERATOR, { reason: 42 }); // 400
    await post('/targets/nope/pause', OPERATOR); // 404
    await post('/pause', VIEWER); // 403
    await post('/pause', undefined); // 401
    for (let i = 0; i < 3; i++) await post('/resume', OPERATOR); // the 3rd is the 7th for ops: 429
    await post('/pause', VIEWER); // 403 again: counted with the first

    // Refusals (401, 403, 429) are counted and written when their minute is over (here: now).
    expect((await h.store.listAudit(20)).map((e) => e.status)).not.toContain(403);
    await h.app.auditTrail.flush(true);
    const entries = (await h.store.listAudit(20)).reverse();
    expect(entries.map((e) => [e.actor, e.role, e.action, e.target, e.status, e.count ?? 1])).toEqual([
      ['ops', 'operator', 'rollback', 'api', 202, 1],
      ['ops', 'operator', 'rollback', 'api', 409, 1],
      ['ops', 'operator', 'pause', 'api', 400, 1],
      ['ops', 'operator', 'pause', 'nope', 404, 1],
      ['ops', 'operator', 'resume-all', '*', 200, 1],
      ['ops', 'operator', 'resume-all', '*', 200, 1],
      ['grafana', 'viewer', 'refused', '*', 403, 2],
      ['anonymous', 'none', 'refused', '*', 401, 1],
      ['ops', 'operator', 'refused', '*', 429, 1],
    ]);
    expect(entries[0]).toMatchObject({ params: { path: { name: 'api' }, body: { version: 1 } }, result: 'rolling back to v1', source: '127.0.0.1' });
    expect(entries[1]?.result).toMatch(/^WD_ERR_ROLLBACK_IN_PROGRESS: /);
    expect(entries[2]).toMatchObject({ params: { body: { reason: 42 } }, result: expect.stringMatching(/^WD_ERR_BAD_REQUEST: body.reason/) });
    expect(entries[6]).toMatchObject({ source: '127.0.0.1', params: { statuses: { 403: 2 }, actions: { 'pause-all': 2 } }, result: 'refused 2 requests in this minute: 403 ×2' });
    expect(entries[8]).toMatchObject({ params: { actions: { 'resume-all': 1 } } });
  });

  it('never stores a header, and clips oversized parameters', async () => {
    h = await harness();
    await h.app.inject({ method: 'POST', url: '/api/v1/targets/api/pause', headers: bearer(OPERATOR), payload: { reason: 'y'.repeat(400), extra: 'z'.repeat(3000) } });
    const [entry] = await h.store.listAudit(1);
    expect(JSON.stringify(entry)).not.toContain(OPERATOR);
    expect(entry).toMatchObject({ status: 400, params: { truncated: true, preview: expect.any(String) } });
    expect(JSON.stringify(entry?.params).length).toBeLessThan(2300);
  });

  it('does not audit reads', async () => {
    h = await harness();
    await h.app.inject({ url: '/api/v1/status', headers: bearer(VIEWER) });
    await h.app.inject({ url: '/api/v1/gate?target=api&image=x', headers: bearer(VIEWER) });
    expect(await h.store.listAudit()).toEqual([]);
  });

  it('without a store, acts are still written to the log', async () => {
    h = await harness({ withStore: false });
    await h.app.inject({ method: 'POST', url: '/api/v1/pause', headers: bearer(OPERATOR) });
    expect(h.records.find((r) => r.msg === 'operator action')).toMatchObject({ audit: { actor: 'ops', action: 'pause-all', status: 200 } });
  });
});
