import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FlyMachine } from '../../../src/platform/fly/parse-status.ts';
import { flyAuthorization } from '../../../src/platform/fly/authorization.ts';
import {
  DEFAULT_MACHINES_API_URL,
  MACHINES_API_COOL_OFF_MS,
  MachinesApi,
  machinesFingerprint,
  resolveMachinesApi,
} from '../../../src/platform/fly/machines-api.ts';
import { FlySettings } from '../../../src/config/fly-schema.ts';
import { SecretRegistry } from '../../../src/infra/secrets.ts';
import { startSimulator, type Simulator } from '../../../src/sim/simulator.ts';

const TOKEN = 'fo1_machines-api-test-token-0123456789';

describe('machinesFingerprint', () => {
  const machine = (id: string, version: string, tag: string, state = 'started') =>
    FlyMachine.parse({ id, state, region: 'iad', image_ref: { registry: 'registry.fly.io', repository: 'api', tag }, config: { metadata: { fly_release_version: version } } });

  it('changes with a machine\'s release or image, or with the set of machines', () => {
    const before = machinesFingerprint([machine('a', '3', 'deployment-3'), machine('b', '3', 'deployment-3')]);
    expect(machinesFingerprint([machine('a', '4', 'deployment-4'), machine('b', '3', 'deployment-3')])).not.toBe(before);
    expect(machinesFingerprint([machine('a', '3', 'deployment-3'), machine('b', '3', 'deployment-x')])).not.toBe(before);
    expect(machinesFingerprint([machine('a', '3', 'deployment-3'), machine('c', '3', 'deployment-3')])).not.toBe(before);
    expect(machinesFingerprint([machine('a', '3', 'deployment-3')])).not.toBe(before);
  });

  it('ignores machine order and state: a machine that autostops is not a release', () => {
    const before = machinesFingerprint([machine('a', '3', 'deployment-3'), machine('b', '3', 'deployment-3')]);
    expect(machinesFingerprint([machine('b', '3', 'deployment-3', 'stopped'), machine('a', '3', 'deployment-3')])).toBe(before);
  });
});

describe('the Machines API Authorization header (authorization.ts)', () => {
  it.each([
    ['fo1_abc', 'Bearer fo1_abc'],
    ['FlyV1 fm2_abc,fm2_def', 'FlyV1 fm2_abc,fm2_def'],
    ['fm2_abc', 'FlyV1 fm2_abc'],
    ['fm1r_abc', 'FlyV1 fm1r_abc'],
    ['flyv1 fm2_abc', 'FlyV1 fm2_abc'],
    ['Bearer fm2_abc', 'FlyV1 fm2_abc'],
  ])('sends %s as flyctl would', (token, header) => {
    expect(flyAuthorization(token)).toBe(header);
  });
});

describe('resolveMachinesApi', () => {
  const on = { enabled: true, timeout: 10_000 };
  it('defaults to api.machines.dev with a token and no other API base', () => {
    expect(resolveMachinesApi(on, { apiToken: TOKEN })).toEqual({ url: DEFAULT_MACHINES_API_URL, timeoutMs: 10_000 });
  });
  it('uses the configured URL', () => {
    expect(resolveMachinesApi({ ...on, url: 'http://127.0.0.1:9' }, { apiToken: TOKEN, apiBaseUrl: 'http://127.0.0.1:9' })).toEqual({ url: 'http://127.0.0.1:9', timeoutMs: 10_000 });
  });
  it.each([
    ['disabled', { ...on, enabled: false }, { apiToken: TOKEN }, /enabled is false/],
    ['without a token (flyctl would read its own config)', on, {}, /apiToken is not set/],
    ['when apiBaseUrl points elsewhere and no url is given', on, { apiToken: TOKEN, apiBaseUrl: 'http://127.0.0.1:9' }, /machinesApi.url is not/],
  ])('is off %s', (_why, settings, fly, reason) => {
    const resolved = resolveMachinesApi(settings, fly);
    expect('off' in resolved && resolved.off).toMatch(reason);
  });
});

describe('platform.fly.machinesApi.url', () => {
  it.each(['https://api.machines.dev', 'http://127.0.0.1:4280', 'http://127.0.0.2:4280', 'http://localhost:4280', 'http://[::1]:4280'])('accepts %s', (url) => {
    expect(FlySettings.shape.machinesApi.parse({ url }).url).toBe(url);
  });

  it('refuses plain http to another host: the Fly token goes with every request', () => {
    const result = FlySettings.safeParse({ machinesApi: { url: 'http://machines.internal:4280' } });
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]).toMatchObject({ path: ['machinesApi', 'url'], message: expect.stringMatching(/must be https:\/\//) });
  });
});

describe('MachinesApi against the simulator', () => {
  let sim: Simulator;
  let api: MachinesApi;
  const secrets = new SecretRegistry();

  beforeAll(async () => {
    sim = await startSimulator({ deployMs: 20, requestRate: 0, seed: 5 });
    await sim.addApp('api', { profile: 'healthy', machines: 2 });
    api = new MachinesApi({ url: sim.controlUrl, token: TOKEN, timeoutMs: 5_000, secrets });
  });
  afterAll(() => sim?.close());

  it('reads the machines and sees a deploy change them, and nothing else', async () => {
    const first = await api.fingerprint('api');
    expect(first?.split('\n')).toHaveLength(2);
    expect(await api.fingerprint('api')).toBe(first);
    await sim.deploy('api', sim.buildImage('api', 'healthy'));
    const second = await api.fingerprint('api');
    expect(second).not.toBe(first);
    expect(second).toMatch(/ v2 registry\.fly\.io\/api:deployment-/);
  });

  it('fails with the API\'s status for an unknown app', async () => {
    await expect(api.fingerprint('nope')).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_API_FAILED', message: 'GET /v1/apps/nope/machines: answered 404: app not found' });
  });

  it('is refused without a token, as the real API does', async () => {
    const res = await fetch(`${sim.controlUrl}/v1/apps/api/machines`);
    expect(res.status).toBe(401);
  });

  it('rejects an app name that could escape the path before any request', async () => {
    await expect(api.fingerprint('../apps')).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_ARGUMENT_INVALID' });
  });
});

describe('MachinesApi failures', () => {
  let server: Server;
  let url: string;
  let answer: (res: import('node:http').ServerResponse) => void = (res) => res.end('[]');
  const seen: (string | undefined)[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.headers.authorization);
      answer(res);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const api = (timeoutMs = 5_000) => new MachinesApi({ url, token: TOKEN, timeoutMs, secrets: new SecretRegistry() });

  it('sends the token as a Bearer header and reads an empty app', async () => {
    answer = (res) => res.end('null');
    expect(await api().fingerprint('api')).toBe('');
    expect(seen.at(-1)).toBe(`Bearer ${TOKEN}`);
  });

  it.each([
    ['a 500', (res: import('node:http').ServerResponse) => res.writeHead(500).end('{"error":"oops"}'), /answered 500: oops$/],
    ['a 401 that quotes the token', (res: import('node:http').ServerResponse) => res.writeHead(401).end(JSON.stringify({ error: `token ${TOKEN} is not authorized` })), /answered 401: token \[REDACTED\] is not authorized$/],
    ['HTML', (res: import('node:http').ServerResponse) => res.end('<html>502</html>'), /answer is not JSON$/],
    ['the wrong shape', (res: import('node:http').ServerResponse) => res.end('[{"id":7}]'), /\[0\]\.id/],
  ])('fails on %s, naming the request and never the token', async (_what, respond, message) => {
    answer = respond;
    const err = await api().fingerprint('api').catch((e: Error) => e);
    expect((err as Error).message).toMatch(message);
    expect((err as Error).message).toMatch(/^GET \/v1\/apps\/api\/machines: /);
    expect((err as Error).message).not.toContain(TOKEN);
  });

  it('has at most 8 requests open at once; the rest wait their turn', async () => {
    const held: import('node:http').ServerResponse[] = [];
    answer = (res) => held.push(res);
    const client = api();
    const all = Promise.all(Array.from({ length: 20 }, () => client.fingerprint('api')));
    await expect.poll(() => held.length).toBe(8);
    await new Promise((resolve) => setImmediate(resolve));
    expect(held).toHaveLength(8);
    answer = (res) => res.end('[]');
    for (const res of held.splice(0)) res.end('[]');
    expect(await all).toEqual(Array(20).fill(''));
  });

  it('masks a long token the API quotes before shortening the message, so no cut-off part escapes', async () => {
    const long = `fm2_${'x'.repeat(400)}`;
    answer = (res) => res.writeHead(401).end(JSON.stringify({ error: `token ${long} is not authorized` }));
    const client = new MachinesApi({ url, token: `FlyV1 ${long},fm2_other_macaroon_part`, timeoutMs: 5_000, secrets: new SecretRegistry() });
    const err = (await client.fingerprint('api').catch((e: Error) => e)) as Error;
    expect(err.message).toBe('GET /v1/apps/api/machines: answered 401: token [REDACTED] is not authorized');
  });

  it('after the API fails as a whole, skips it for a cool-off, then lets one request try it again', async () => {
    let now = 1_000_000;
    let hits = 0;
    answer = (res) => {
      hits++;
      res.writeHead(503).end('{"error":"unavailable"}');
    };
    const client = new MachinesApi({ url, token: TOKEN, timeoutMs: 5_000, secrets: new SecretRegistry(), now: () => now });
    await expect(client.fingerprint('api')).rejects.toMatchObject({ message: 'GET /v1/apps/api/machines: answered 503: unavailable' });
    expect(await client.fingerprint('api')).toBeUndefined(); // cooling off: not asked
    expect(hits).toBe(1);
    now += MACHINES_API_COOL_OFF_MS;
    answer = (res) => {
      hits++;
      res.end('[]');
    };
    expect(await client.fingerprint('api')).toBe('');
    expect(await client.fingerprint('api')).toBe('');
    expect(hits).toBe(3);
  });

  it('does not cool off for an answer about one app (a 404)', async () => {
    answer = (res) => res.writeHead(404).end('{"error":"app not found"}');
    const client = api();
    await expect(client.fingerprint('api')).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_API_FAILED' });
    await expect(client.fingerprint('api')).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_API_FAILED' });
  });

  it('gives up after its timeout', async () => {
    answer = () => {}; // never answers
    await expect(api(100).fingerprint('api')).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_API_FAILED', message: 'GET /v1/apps/api/machines: no answer within 100 ms' });
  });
});
