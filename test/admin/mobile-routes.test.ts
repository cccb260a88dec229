import { afterEach, describe, expect, it } from 'vitest';
import type { MobileApp } from '../../src/admin/mobile-routes.ts';
import { TokenAuth } from '../../src/admin/auth.ts';
import { buildApp } from '../../src/app.ts';
import { EasPlatform } from '../../src/platform/expo/eas-platform.ts';
import { SecretRegistry } from '../../src/infra/secrets.ts';
import { FAKE_EAS, fakeEasProject, GROUP_2, threeGroups, type FakeEasProject } from '../platform/expo/fake-eas.ts';
import { bearer, harness, OPERATOR, TOKENS, VIEWER, type Harness } from './harness.ts';

const EXPO_TOKEN = 'expo-token-0123456789abcdef';
let h: Harness | undefined;
let project: FakeEasProject | undefined;
afterEach(async () => {
  await h?.close();
  await project?.cleanup();
  h = undefined;
  project = undefined;
});

async function setup(newestRuntime = '1.0.0') {
  project = await fakeEasProject();
  await project.seed({ token: EXPO_TOKEN, groups: threeGroups(newestRuntime) });
  h = await harness();
  const eas = new EasPlatform({ binary: FAKE_EAS, expoToken: EXPO_TOKEN, projectDir: project.dir, timeouts: { list: 10_000, republish: 10_000 }, secrets: new SecretRegistry() });
  const mobile = new Map<string, MobileApp>([['app', { name: 'app', environment: 'production', branch: 'production', eas }]]);
  const app = buildApp({ watchdog: h.watchdog, auth: new TokenAuth(TOKENS), logger: (await import('../fakes/logger.ts')).captureLogger().logger, registry: new (await import('prom-client')).Registry(), store: h.store, mobile, rateLimit: false });
  return { app, project };
}

describe('mobile OTA rollback (Expo, manual only)', () => {
  it('republishes the previous update group on the same runtime, operator only, audited', async () => {
    const { app, project } = await setup();
    expect((await app.inject({ method: 'POST', url: '/api/v1/mobile/app/rollback', headers: bearer(VIEWER), payload: {} })).statusCode).toBe(403);
    const res = await app.inject({ method: 'POST', url: '/api/v1/mobile/app/rollback', headers: bearer(OPERATOR), payload: {} });
    expect(res.statusCode, res.body).toBe(202);
    expect(res.json()).toMatchObject({ name: 'app', branch: 'production', to: { group: GROUP_2 } });
    const state = await project.state();
    expect(state.invocations.some((i) => i.argv.includes('update:republish') && i.argv.includes(GROUP_2))).toBe(true);
    expect((await h!.store.listAudit(5)).map((a) => a.action)).toContain('mobile-rollback');
    const updates = await app.inject({ url: '/api/v1/mobile/app/updates', headers: bearer(VIEWER) });
    expect(updates.json().updates[0].group).not.toBe(GROUP_2); // the republished group is newest now
  });

  it('refuses with the store-rollback steps when the previous group was built for another runtime', async () => {
    const { app } = await setup('2.0.0');
    const res = await app.inject({ method: 'POST', url: '/api/v1/mobile/app/rollback', headers: bearer(OPERATOR), payload: {} });
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'WD_ERR_OTA_REFUSED', message: expect.stringMatching(/App Store Connect/) });
  });

  it.each([
    [{ toGroup: 'not a group' }, 400],
    [{ extra: 1 }, 400],
  ])('rejects %j with %i', async (payload, status) => {
    const { app } = await setup();
    expect((await app.inject({ method: 'POST', url: '/api/v1/mobile/app/rollback', headers: bearer(OPERATOR), payload })).statusCode).toBe(status);
  });

  it('runs one rollback per Expo project at a time: a second app on the same project waits its turn; after the first, the next runs', async () => {
    const { project } = await setup();
    const eas = new EasPlatform({ binary: FAKE_EAS, expoToken: EXPO_TOKEN, projectDir: project.dir, timeouts: { list: 10_000, republish: 10_000 }, secrets: new SecretRegistry() });
    const mobile = new Map<string, MobileApp>([
      ['app', { name: 'app', environment: 'production', branch: 'production', eas }],
      ['app-beta', { name: 'app-beta', environment: 'beta', branch: 'production', eas }],
    ]);
    const app = buildApp({ watchdog: h!.watchdog, auth: new TokenAuth(TOKENS), logger: (await import('../fakes/logger.ts')).captureLogger().logger, registry: new (await import('prom-client')).Registry(), store: h!.store, mobile, rateLimit: false });
    const rollback = (name: string) => app.inject({ method: 'POST', url: `/api/v1/mobile/${name}/rollback`, headers: bearer(OPERATOR), payload: {} });
    const [a, b] = await Promise.all([rollback('app'), rollback('app-beta')]);
    const refused = [a, b].find((r) => r.statusCode === 409)!;
    expect([a.statusCode, b.statusCode].sort()).toEqual([202, 409]);
    expect(refused.json()).toMatchObject({ code: 'WD_ERR_OTA_ROLLBACK_IN_PROGRESS', message: expect.stringMatching(/started by ops at \d{4}-/) });
    expect((await rollback('app')).statusCode).toBe(202);
    expect((await project.state()).invocations.filter((i) => i.argv.includes('update:republish'))).toHaveLength(2);
    await app.close();
  });

  it('answers 404 for an unknown app', async () => {
    const { app } = await setup();
    expect((await app.inject({ method: 'POST', url: '/api/v1/mobile/nope/rollback', headers: bearer(OPERATOR), payload: {} })).statusCode).toBe(404);
  });
});
