import { afterEach, describe, expect, it } from 'vitest';
import { bearer, harness, heldForApproval, OPERATOR, VIEWER, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.close());

const act = (url: string, payload?: object) =>
  h.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(OPERATOR), ...(payload && { payload }) });
const status = async () => (await h.app.inject({ url: '/api/v1/status', headers: bearer(VIEWER) })).json();

describe('pause and resume', () => {
  it('pauses one target with a reason, and resuming clears the reason', async () => {
    h = await harness();
    const paused = await act('/targets/api/pause', { reason: 'db maintenance' });
    expect(paused.statusCode).toBe(200);
    expect(paused.json()).toMatchObject({ scope: 'api', controls: { paused: true, by: 'ops', reason: 'db maintenance' }, effective: { paused: true } });
    expect(h.watchdog.policyFor(h.watchdog.runner('api').target).paused).toBe(true);
    const resumed = await act('/targets/api/resume');
    expect(resumed.json()).toMatchObject({ scope: 'api', controls: { paused: false, by: 'ops' }, effective: { paused: false } });
    expect(resumed.json().controls.reason).toBeUndefined();
  });

  it('pauses and resumes every target, shown in /status', async () => {
    h = await harness();
    expect((await act('/pause', { reason: 'incident 7' })).json()).toMatchObject({ scope: '*', controls: { paused: true, reason: 'incident 7' } });
    expect(await status()).toMatchObject({ global: { paused: true, by: 'ops', reason: 'incident 7' }, targets: [{ name: 'api', paused: true }] });
    expect((await act('/resume')).statusCode).toBe(200);
    expect(await status()).toMatchObject({ global: { paused: false }, targets: [{ paused: false }] });
  });

  it('a target resumed while all are paused stays effectively paused, and says so', async () => {
    h = await harness();
    await act('/pause');
    expect((await act('/targets/api/resume')).json().effective).toEqual({ mode: 'auto', paused: true });
  });

  it('a pause is persisted, so it survives a restart', async () => {
    h = await harness();
    await act('/targets/api/pause');
    expect(await h.store.loadControls()).toMatchObject({ api: { paused: true, by: 'ops' } });
  });

  it.each([
    ['/targets/nope/pause', {}, 404, 'WD_ERR_TARGET_UNKNOWN'],
    ['/targets/api/pause', { reason: '' }, 400, 'WD_ERR_BAD_REQUEST'],
    ['/targets/api/pause', { reason: 'x'.repeat(501) }, 400, 'WD_ERR_BAD_REQUEST'],
    ['/pause', { paused: true }, 400, 'WD_ERR_BAD_REQUEST'],
    ['/targets/API!/resume', {}, 400, 'WD_ERR_BAD_REQUEST'],
  ])('%s %j → %i', async (url, body, code, errorCode) => {
    h = await harness();
    const res = await act(url, body);
    expect(res.statusCode).toBe(code);
    expect(res.json().code).toBe(errorCode);
  });
});

describe('POST /mode', () => {
  it('sets one target to approve mode: the next failure is held for an operator', async () => {
    h = await harness();
    const res = await act('/mode', { mode: 'approve', target: 'api', reason: 'risky week' });
    expect(res.json()).toMatchObject({ scope: 'api', controls: { mode: 'approve', reason: 'risky week' }, effective: { mode: 'approve' } });
    await heldForApproval(h);
    expect(h.state().hold?.kind).toBe('approval');
  });

  it('without a target sets the global mode', async () => {
    h = await harness();
    expect((await act('/mode', { mode: 'dry-run' })).json()).toMatchObject({ scope: '*', controls: { mode: 'dry-run' } });
    expect(await status()).toMatchObject({ global: { mode: 'dry-run' }, targets: [{ mode: 'dry-run' }] });
  });

  it.each([
    [{ mode: 'yolo' }, 400, 'mode'],
    [{}, 400, 'mode'],
    [{ mode: 'auto', target: 'nope' }, 404, 'nope'],
    [{ mode: 'auto', target: '*' }, 400, 'target'],
  ])('%j → %i naming %s', async (body, code, mention) => {
    h = await harness();
    const res = await act('/mode', body);
    expect(res.statusCode).toBe(code);
    expect(res.json().message).toContain(mention);
  });
});
