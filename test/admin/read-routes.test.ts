import { afterEach, describe, expect, it } from 'vitest';
import { target } from '../guard/step/fixtures.ts';
import { bearer, guardingV2, harness, image, OPERATOR, VIEWER, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.close());

const read = (url: string, token = VIEWER) => h.app.inject({ url: `/api/v1${url}`, headers: bearer(token) });

describe('read routes', () => {
  it('GET /status shows the global controls and every target', async () => {
    h = await harness({ targets: [target, { ...target, name: 'web', app: 'web' }] });
    await h.watchdog.pollAll();
    const res = await read('/status');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ ready: true, global: { paused: false }, targets: [{ name: 'api', phase: 'guarding' }, { name: 'web', phase: 'guarding' }] });
  });

  it('GET /targets lists every target summary', async () => {
    h = await harness();
    expect((await read('/targets')).json()).toMatchObject({ targets: [{ name: 'api', app: 'api', environment: 'production', phase: 'idle', mode: 'auto', paused: false }] });
  });

  it('GET /targets/:name adds guard tallies, controls, current release and last known good', async () => {
    h = await harness();
    await guardingV2(h);
    await h.watchdog.setControls('api', { mode: 'approve', by: 'ops', reason: 'freeze' });
    const res = await read('/targets/api');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({
      name: 'api',
      phase: 'guarding',
      mode: 'approve',
      controls: { mode: 'approve', by: 'ops', reason: 'freeze', at: expect.any(String) },
      guard: { version: 2, tallies: {} },
      guardStartedAt: expect.any(String),
      currentRelease: { version: 2, imageRef: image(2), verdict: 'pending', origin: 'deploy' },
      lastKnownGood: { version: 1, verdict: 'good' },
    });
    expect(res.json().currentRelease.firstSeenAt).toBeUndefined();
  });

  it('GET /targets/:name shows rollback progress while rolling back', async () => {
    h = await harness();
    await guardingV2(h);
    h.platform.holdDeploys = true;
    await h.app.inject({ method: 'POST', url: '/api/v1/targets/api/rollback', headers: bearer(OPERATOR) });
    const detail = (await read('/targets/api')).json();
    expect(detail.rollbackProgress).toMatchObject({ from: { version: 2 }, to: { version: 1 }, trigger: 'manual', requestedBy: 'ops', attempts: 1, issuedAt: expect.any(String) });
    h.platform.finishDeploys();
  });

  it('GET /targets/:name/journal lists decisions newest first, limited', async () => {
    h = await harness();
    await guardingV2(h);
    const res = await read('/targets/api/journal?limit=2');
    expect(res.statusCode).toBe(200);
    expect(res.json().entries.map((e: { kind: string }) => e.kind)).toEqual(['guard-started', 'marked-good']);
    expect(res.json().entries[0]).toMatchObject({ at: expect.stringMatching(/^\d{4}-/), message: expect.stringContaining('v2') });
  });

  it('GET /audit is for operators and lists actions newest first', async () => {
    h = await harness();
    await h.app.inject({ method: 'POST', url: '/api/v1/pause', headers: bearer(OPERATOR) });
    expect((await read('/audit')).statusCode).toBe(403);
    const res = await read('/audit?limit=5', OPERATOR);
    expect(res.statusCode).toBe(200);
    expect(res.json().entries).toMatchObject([{ actor: 'ops', role: 'operator', action: 'pause-all', target: '*', status: 200 }]);
  });

  it.each([
    ['/targets/nope', 404, 'WD_ERR_TARGET_UNKNOWN'],
    ['/targets/nope/journal', 404, 'WD_ERR_TARGET_UNKNOWN'],
    ['/targets/api/journal?limit=0', 400, 'WD_ERR_BAD_REQUEST'],
    ['/targets/api/journal?limit=1&limit=2', 400, 'WD_ERR_BAD_REQUEST'],
    ['/targets/api/journal?since=1', 400, 'WD_ERR_BAD_REQUEST'],
    ['/targets/api/releases?limit=501', 400, 'WD_ERR_BAD_REQUEST'],
  ])('%s → %i %s', async (url, status, code) => {
    h = await harness();
    const res = await read(url);
    expect(res.statusCode).toBe(status);
    expect(res.json().code).toBe(code);
  });

  it('without a store, the journal and audit answer 503 with a code, and reads still work', async () => {
    h = await harness({ withStore: false });
    expect((await read('/targets/api/journal')).json()).toMatchObject({ statusCode: 503, code: 'WD_ERR_STORE_UNAVAILABLE' });
    expect((await read('/audit', OPERATOR)).statusCode).toBe(503);
    expect((await read('/status')).statusCode).toBe(200);
  });
});
