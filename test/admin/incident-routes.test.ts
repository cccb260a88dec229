import { afterEach, describe, expect, it } from 'vitest';
import { bearer, guardingV2, harness, VIEWER, type Harness } from './harness.ts';

let h: Harness | undefined;
afterEach(async () => {
  await h?.close();
  h = undefined;
});

describe('incident routes', () => {
  it('list, detail with timeline and evidence, and the post-mortem draft as Markdown', async () => {
    h = await harness();
    await guardingV2(h);
    h.probe.phase = 'failed';
    const runner = h.watchdog.runner('api');
    // Three failed rounds, as the loop would feed them.
    for (let i = 0; i < 3; i++) {
      await (runner as unknown as { pollReleases(): Promise<void> }).pollReleases();
    }
    const { store } = h;
    await store.saveTransition(
      {
        state: runner.state,
        verdicts: [],
        origins: [],
        journal: [{ target: 'api', at: 1, kind: 'release-failed', message: 'v2 failed', incidentId: 'api-v2-x' }],
        openIncidents: [
          { id: 'api-v2-x', target: 'api', environment: 'production', version: 2, imageRef: 'img', reason: 'ready failed', status: 'open', openedAt: 1, impactStartedAt: 0, postmortemRequired: false, evidence: [] },
        ],
        closeIncidents: [],
      },
      1,
    );
    const list = await h.app.inject({ url: '/api/v1/incidents?target=api', headers: bearer(VIEWER) });
    expect(list.statusCode).toBe(200);
    expect(list.json().incidents).toEqual([expect.objectContaining({ id: 'api-v2-x', status: 'open', impactMs: expect.any(Number) })]);
    const one = await h.app.inject({ url: '/api/v1/incidents/api-v2-x', headers: bearer(VIEWER) });
    expect(one.json()).toMatchObject({ id: 'api-v2-x', timeline: [{ kind: 'release-failed', message: 'v2 failed' }] });
    const md = await h.app.inject({ url: '/api/v1/incidents/api-v2-x/postmortem', headers: bearer(VIEWER) });
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    expect(md.body).toContain('# Post-mortem draft: api v2');
  });

  it.each([
    ['/api/v1/incidents/nope', 404, 'WD_ERR_INCIDENT_UNKNOWN'],
    ['/api/v1/incidents/bad%20id', 400, 'WD_ERR_BAD_REQUEST'],
    ['/api/v1/incidents?limit=0', 400, 'WD_ERR_BAD_REQUEST'],
  ])('%s → %i', async (url, status, code) => {
    h = await harness();
    const res = await h.app.inject({ url, headers: bearer(VIEWER) });
    expect(res.statusCode).toBe(status);
    expect(res.json().code).toBe(code);
  });
});
