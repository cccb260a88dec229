import { afterEach, describe, expect, it } from 'vitest';
import { bearer, guardingV2, harness, heldForApproval, heldWithoutTarget, image, OPERATOR, until, type Harness } from './harness.ts';

let h: Harness;
afterEach(() => h?.close());

const act = (url: string, payload?: object) =>
  h.app.inject({ method: 'POST', url: `/api/v1${url}`, headers: bearer(OPERATOR), ...(payload && { payload }) });

describe('POST /targets/:name/rollback', () => {
  it('with no body rolls back to the last known good release and says so (202)', async () => {
    h = await harness();
    await guardingV2(h);
    const res = await act('/targets/api/rollback');
    expect(res.statusCode).toBe(202);
    // The fake deploy finishes at once, so the answer may already show verification.
    expect(res.json()).toMatchObject({ to: { version: 1, imageRef: image(1) }, forced: false, target: { name: 'api', phase: expect.stringMatching(/^(rolling-back|verifying)$/) } });
    await until(() => h.state().phase === 'verifying', 'verifying');
    expect(h.platform.deploys.map((d) => d.imageRef)).toEqual([image(1)]);
    expect(h.state().rollback).toMatchObject({ trigger: 'manual', requestedBy: 'ops' });
  });

  it.each([
    [{ version: 1 }, 1],
    [{ image: image(1) }, 1],
  ])('to %j goes to v%i', async (body, version) => {
    h = await harness();
    await guardingV2(h);
    const res = await act('/targets/api/rollback', body);
    expect(res.statusCode).toBe(202);
    expect(res.json().to.version).toBe(version);
  });

  it('refuses an image judged bad unless forced', async () => {
    h = await harness();
    await guardingV2(h);
    await act('/targets/api/releases/1/mark-bad');
    const refused = await act('/targets/api/rollback', { version: 1 });
    expect(refused.statusCode).toBe(409);
    expect(refused.json().code).toBe('WD_ERR_RELEASE_JUDGED_BAD');
    expect(h.platform.deploys).toEqual([]);
    const forced = await act('/targets/api/rollback', { version: 1, force: true });
    expect(forced.statusCode).toBe(202);
    expect(forced.json().forced).toBe(true);
  });

  it.each([
    [{ version: 99 }, 404, 'WD_ERR_RELEASE_UNKNOWN'],
    [{ image: 'registry.fly.io/api:never' }, 404, 'WD_ERR_IMAGE_UNKNOWN'],
    [{ version: 2 }, 409, 'WD_ERR_ALREADY_CURRENT'],
    [{ version: 1, image: image(1) }, 400, 'WD_ERR_BAD_REQUEST'],
    [{ version: '1' }, 400, 'WD_ERR_BAD_REQUEST'],
    [{ force: 'yes' }, 400, 'WD_ERR_BAD_REQUEST'],
    [{ to: 1 }, 400, 'WD_ERR_BAD_REQUEST'],
  ])('%j → %i %s', async (body, status, code) => {
    h = await harness();
    await guardingV2(h);
    const res = await act('/targets/api/rollback', body);
    expect(res.statusCode).toBe(status);
    expect(res.json().code).toBe(code);
    expect(h.platform.deploys).toEqual([]);
  });

  it('answers 409 WD_ERR_ROLLBACK_IN_PROGRESS while a rollback is out, and deploys once', async () => {
    h = await harness();
    await guardingV2(h);
    h.platform.holdDeploys = true;
    expect((await act('/targets/api/rollback')).statusCode).toBe(202);
    const again = await act('/targets/api/rollback', { version: 1, force: true });
    expect(again.statusCode).toBe(409);
    expect(again.json().code).toBe('WD_ERR_ROLLBACK_IN_PROGRESS');
    expect(h.platform.deploys).toHaveLength(1);
    h.platform.finishDeploys();
  });

  it('answers 409 before the first release list was read, and 404 for an unknown target', async () => {
    h = await harness();
    expect((await act('/targets/api/rollback')).json().code).toBe('WD_ERR_NO_CURRENT_RELEASE');
    expect((await act('/targets/nope/rollback')).json().code).toBe('WD_ERR_TARGET_UNKNOWN');
  });
});

describe('approve and veto', () => {
  it('approve starts the held rollback (202) and records who approved', async () => {
    h = await harness();
    await heldForApproval(h);
    const res = await act('/targets/api/approve', { reason: 'checked the dashboards' });
    expect(res.statusCode).toBe(202);
    expect(res.json()).toMatchObject({ name: 'api', phase: expect.stringMatching(/^(rolling-back|verifying)$/), rollback: { to: 1 } });
    expect(h.state().rollback?.requestedBy).toBe('ops');
  });

  it('veto ends the hold without deploying', async () => {
    h = await harness();
    await heldForApproval(h);
    const res = await act('/targets/api/veto');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ phase: 'idle' });
    expect(h.platform.deploys).toEqual([]);
  });

  it.each(['approve', 'veto'])('%s is 409 WD_ERR_NOT_HELD unless held', async (verb) => {
    h = await harness();
    await guardingV2(h);
    const res = await act(`/targets/api/${verb}`);
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('WD_ERR_NOT_HELD');
  });

  it('approve of a hold with no rollback target is 409 naming what to do instead', async () => {
    h = await harness();
    await heldWithoutTarget(h);
    const res = await act('/targets/api/approve');
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('WD_ERR_NO_ROLLBACK_TARGET');
    expect(res.json().message).toContain('/rollback');
    expect(h.state().phase).toBe('held');
  });
});

describe('POST /targets/:name/abort', () => {
  it('ends the guard without a verdict', async () => {
    h = await harness();
    await guardingV2(h);
    const res = await act('/targets/api/abort');
    expect(res.statusCode).toBe(200);
    expect(res.json().phase).toBe('idle');
    expect((await h.store.listReleases('api'))[0]).toMatchObject({ version: 2, verdict: 'unknown' });
  });

  it('is 409 WD_ERR_NOT_GUARDING when nothing is guarded', async () => {
    h = await harness();
    const res = await act('/targets/api/abort');
    expect(res.statusCode).toBe(409);
    expect(res.json().code).toBe('WD_ERR_NOT_GUARDING');
  });
});

describe('mark-good and mark-bad', () => {
  it.each(['good', 'bad'] as const)('mark-%s sets the verdict and journals it', async (verdict) => {
    h = await harness();
    await guardingV2(h);
    const res = await act(`/targets/api/releases/1/mark-${verdict}`, { reason: 'ticket 42' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ target: 'api', version: 1, verdict });
    expect((await h.store.listReleases('api')).find((r) => r.version === 1)?.verdict).toBe(verdict);
    expect((await h.store.listJournal('api', 1))[0]?.kind).toBe(`marked-${verdict}`);
  });

  it.each([
    ['/targets/api/releases/99/mark-bad', 404, 'WD_ERR_RELEASE_UNKNOWN'],
    ['/targets/nope/releases/1/mark-bad', 404, 'WD_ERR_TARGET_UNKNOWN'],
    ['/targets/api/releases/0/mark-good', 400, 'WD_ERR_BAD_REQUEST'],
    ['/targets/api/releases/v1/mark-good', 400, 'WD_ERR_BAD_REQUEST'],
  ])('%s → %i %s', async (url, status, code) => {
    h = await harness();
    await guardingV2(h);
    const res = await act(url);
    expect(res.statusCode).toBe(status);
    expect(res.json().code).toBe(code);
  });
});
