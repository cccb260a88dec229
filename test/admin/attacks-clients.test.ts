/**
 * Issue 16 replayed, part two: the attacks that go through the config, the probes, the mobile
 * routes and the CLI. One test per attack, each named after it (part one: attacks-server.test.ts).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { MobileApp } from '../../src/admin/mobile-routes.ts';
import { loadConfig, parseConfig } from '../../src/config/load.ts';
import { resolveTargets } from '../../src/config/resolve.ts';
import { systemClock } from '../../src/infra/clock.ts';
import { MASK, SecretRegistry } from '../../src/infra/secrets.ts';
import { EasPlatform } from '../../src/platform/expo/eas-platform.ts';
import { targetSignals } from '../../src/signals/target-signals.ts';
import { runWatch } from '../../src/client/watch.ts';
import { cmd, serve, type Served } from '../client/client-harness.ts';
import { FakePlatform } from '../fakes/fake-platform.ts';
import { FAKE_EAS, fakeEasProject, threeGroups, type FakeEasProject } from '../platform/expo/fake-eas.ts';
import { bearer, OPERATOR, VIEWER } from './harness.ts';

const BIN = fileURLToPath(new URL('../../bin/rollback-watchdog.js', import.meta.url));
const PROBE_TOKEN = 'probe-header-secret-0123456789';
const MARKER_KEY = 'marker-api-key-0123456789';

/** An app that echoes the request's Authorization header back in its health answer. */
let echo: Server;
let echoUrl = '';
beforeAll(async () => {
  echo = createServer((req, res) => res.end(JSON.stringify({ status: 'degraded', seen: req.headers.authorization ?? null })));
  await new Promise<void>((resolve) => echo.listen(0, '127.0.0.1', resolve));
  echoUrl = `http://127.0.0.1:${(echo.address() as AddressInfo).port}`;
});
afterAll(() => echo.close());

let served: Served | undefined;
let project: FakeEasProject | undefined;
const dirs: string[] = [];
afterEach(async () => {
  await served?.close();
  await project?.cleanup();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
  served = undefined;
  project = undefined;
});

describe('issue 16: attacks through config, probes, mobile and the CLI', () => {
  it('HTTP probe headers are not masked', async () => {
    const { config, secrets } = parseConfig(`
targets:
  - name: api
    probes:
      - { name: health, url: "${echoUrl}/health", headers: { authorization: "Bearer ${PROBE_TOKEN}" }, expectBody: { seen: "nothing" } }
    migrations: { type: url, url: "${echoUrl}/marker", headers: { x-api-key: ${MARKER_KEY} } }
`, {});
    // Every output path that masks (logs, journal, incident evidence, errors) masks through this registry.
    for (const value of [PROBE_TOKEN, `Bearer ${PROBE_TOKEN}`, MARKER_KEY]) expect(secrets.mask(`x ${value} y`)).toBe(`x ${MASK} y`);
    // The measurement itself, which the journal, the incident and the series API copy, comes masked.
    const [target] = resolveTargets(config);
    const signals = targetSignals(target!, { clock: systemClock, secrets: new SecretRegistry(), platform: new FakePlatform(), connectivity: { url: echoUrl, timeout: 1000 } });
    const measurement = await signals.runProbe(target!.probes[0]!, new AbortController().signal);
    expect(measurement.phase).toBe('failed');
    expect(measurement.detail).toContain(MASK);
    expect(JSON.stringify(measurement)).not.toContain(PROBE_TOKEN);
  });

  it('two parallel mobile rollbacks run eas update:republish twice', async () => {
    project = await fakeEasProject();
    await project.seed({ token: 'expo-token-0123456789abcdef', groups: threeGroups() });
    const eas = new EasPlatform({ binary: FAKE_EAS, expoToken: 'expo-token-0123456789abcdef', projectDir: project.dir, timeouts: { list: 10_000, republish: 10_000 }, secrets: new SecretRegistry() });
    const mobile = new Map<string, MobileApp>([['app', { name: 'app', environment: 'production', branch: 'production', eas }]]);
    served = await serve({ mobile });
    const rollback = () => served!.app.inject({ method: 'POST', url: '/api/v1/mobile/app/rollback', headers: bearer(OPERATOR), payload: {} });
    const answers = await Promise.all([rollback(), rollback()]);
    expect(answers.map((a) => a.statusCode).sort()).toEqual([202, 409]);
    expect(answers.find((a) => a.statusCode === 409)!.json()).toMatchObject({ code: 'WD_ERR_OTA_ROLLBACK_IN_PROGRESS' });
    const republished = (await project.state()).invocations.filter((i) => i.argv.includes('update:republish'));
    expect(republished).toHaveLength(1);
  });

  it('control characters in a reason reach the terminal raw through status and watch', async () => {
    const hostile = 'maintenance\u001b[2J\u001b[H\r\nFAKE all targets healthy\u009b31m\u202egnp.exe\u0007\u0000';
    served = await serve();
    const pause = await served.app.inject({ method: 'POST', url: '/api/v1/pause', headers: bearer(OPERATOR), payload: { reason: hostile } });
    expect(pause.statusCode).toBe(200);
    const clean = (text: string) => {
      expect(text).not.toMatch(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
      expect(text.split('\n').some((line) => line.startsWith('FAKE'))).toBe(false);
    };
    const status = await cmd(served.url, VIEWER, 'status');
    expect(status.code).toBe(0);
    expect(status.out).toContain('maintenance');
    clean(status.out);
    clean((await cmd(served.url, VIEWER, 'status', '--json')).out);

    // watch: a (hostile or compromised) server sends the same text in an event and in a refusal.
    const sse = createServer((req, res) => {
      if (req.url === '/api/v1/status') return res.end(JSON.stringify({ ready: true, global: {}, targets: [] }));
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.end(`id: 1\nevent: decision\ndata: ${JSON.stringify({ id: 1, type: 'decision', target: `api${hostile}`, at: '2026-01-01T00:00:00Z', data: { kind: 'paused', message: hostile } })}\n\n`);
    });
    await new Promise<void>((resolve) => sse.listen(0, '127.0.0.1', resolve));
    try {
      for (const json of [false, true]) {
        let out = '';
        let err = '';
        const stop = new AbortController();
        const code = await runWatch(json ? ['--json'] : [], {
          env: { ROLLBACK_WATCHDOG_URL: `http://127.0.0.1:${(sse.address() as AddressInfo).port}` },
          out: (t) => (out += t),
          err: (t) => {
            err += t;
            stop.abort(); // the stream ended: enough
          },
          signal: stop.signal,
          backoff: () => 1,
        });
        expect(code).toBe(0);
        expect(out).toContain('maintenance');
        clean(out);
        clean(err);
      }
    } finally {
      sse.close();
    }
  });

  it('a 50 MB YAML file makes run abort out of memory', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wd-big-'));
    dirs.push(dir);
    const big = join(dir, 'huge.yaml');
    // Cheap to write, ruinous to parse: the loader must refuse it before reading it.
    writeFileSync(big, `targets:\n${'  - name: x\n'.repeat(5 * 1024 * 1024)}`);
    await expect(loadConfig(big)).rejects.toMatchObject({ code: 'WD_ERR_CONFIG_TOO_LARGE' });
    const run = await promisify(execFile)(process.execPath, [BIN, 'run', '--config', big], { env: { PATH: process.env.PATH } }).then(
      () => ({ code: 0, stderr: '' }),
      (e: { code: number; stderr: string }) => e,
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(big);
    expect(run.stderr).toContain('1 MiB');
  });
});
