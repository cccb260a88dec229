/**
 * Issue 16's lock-out, replayed on the real daemon at the file limit it was found with: 1,024 open
 * files. 2,000 slow connections (unauthenticated POSTs dribbling a body, and connections that never
 * finish their headers) and 2,000 event streams with one viewer token, all held at once; /healthz
 * and an operator action must still answer within 1 s, and the daemon never runs out of files.
 * Latencies and descriptor counts are printed, for the README.
 */
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSimulator } from '../../src/sim/simulator.ts';
import { rawConnectMany, slowlorisHead, slowPostHead, streamRequest, waitFor, type RawConnection } from '../support/raw-http.ts';
import { DaemonProcess } from './daemon-process.ts';
import { Stack } from './stack.ts';

const OPERATOR = 'flood-operator-token-0123456789';
const VIEWER = 'flood-viewer-token-0123456789ab';
const NOFILE = 1024;

let stack: Stack;
const held: RawConnection[] = [];

beforeAll(async () => {
  stack = new Stack();
  stack.sim = await startSimulator({ deployMs: 200, requestRate: 20, seed: 7 });
  await stack.sim.addApp('flood-api', { profile: 'healthy' });
  const config = parse(stack.config({ apps: ['flood-api'], probes: 'health-only' })) as Record<string, unknown>;
  config.admin = {
    host: '127.0.0.1',
    port: 0,
    tokens: [
      { name: 'oncall', role: 'operator', token: OPERATOR },
      { name: 'dashboard', role: 'viewer', token: VIEWER },
    ],
  };
  // Not debug: a line per refused request is not what this test reads.
  config.log = { level: 'info', pretty: false };
  stack.configPath = join(stack.dir, 'watchdog.yaml');
  writeFileSync(stack.configPath, stringify(config));
  stack.daemon = await new DaemonProcess(stack.configPath).start(15_000, {}, { nofile: NOFILE });
});

afterAll(async () => {
  for (const c of held.splice(0)) c.destroy();
  await stack?.close();
});

const openFiles = (pid: number) => readdirSync(`/proc/${pid}/fd`).length;

async function timed(url: string, init?: RequestInit): Promise<{ ms: number; status: number }> {
  const started = performance.now();
  // A fresh connection each time, as a new operator's client or Fly's health check would open.
  const res = await fetch(url, { ...init, headers: { connection: 'close', ...init?.headers }, signal: AbortSignal.timeout(5_000) });
  await res.arrayBuffer();
  return { ms: Math.round(performance.now() - started), status: res.status };
}

describe('admin server under a flood, at 1,024 open files', () => {
  it('answers /healthz and an operator action within 1 s through 2,000 slow connections and 2,000 event streams', { timeout: 60_000 }, async () => {
    const daemon = stack.daemon;
    expect(daemon.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const pid = daemon.pid!;
    expect(readFileSync(`/proc/${pid}/limits`, 'utf8')).toMatch(new RegExp(`Max open files\\s+${NOFILE}\\s+${NOFILE}`));
    const port = Number(new URL(daemon.url).port);
    let peakFiles = openFiles(pid);
    const sampler = setInterval(() => (peakFiles = Math.max(peakFiles, openFiles(pid))), 20);

    const probe = async (label: string) => {
      const health = await timed(`${daemon.url}/healthz`);
      const action = await timed(`${daemon.url}/api/v1/targets/flood-api/pause`, {
        method: 'POST',
        headers: { authorization: `Bearer ${OPERATOR}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: `flood test: ${label}` }),
      });
      console.log(`${label}: /healthz ${health.status} in ${health.ms} ms, operator pause ${action.status} in ${action.ms} ms, daemon files ${openFiles(pid)} (peak ${peakFiles})`);
      return { health, action };
    };

    try {
      const before = await probe('before the flood');
      expect(before.health.status).toBe(200);

      const started = performance.now();
      held.push(...(await rawConnectMany(port, 1_000, slowPostHead('/api/v1/pause'))));
      held.push(...(await rawConnectMany(port, 1_000, slowlorisHead())));
      const slow = await probe('2,000 slow connections held');

      held.push(...(await rawConnectMany(port, 2_000, streamRequest(`Bearer ${VIEWER}`))));
      const streams = held.slice(2_000);
      await waitFor(() => streams.every((s) => s.status() !== undefined || s.isClosed()), 'every stream to be answered', 20_000);
      const both = await probe('2,000 slow connections and 2,000 event streams');
      console.log(`flood opened in ${Math.round(performance.now() - started)} ms; streams: ${streams.filter((s) => s.status() === 200).length} served, ${streams.filter((s) => s.status() === 429).length} refused 429, ${streams.filter((s) => s.status() === 503).length} refused 503`);

      for (const { health, action } of [slow, both]) {
        expect(health.status).toBe(200);
        expect(action.status).toBe(200);
        expect(health.ms).toBeLessThan(1_000);
        expect(action.ms).toBeLessThan(1_000);
      }
      expect(streams.filter((s) => s.status() === 200).length).toBeLessThanOrEqual(8);
      expect(peakFiles).toBeLessThan(NOFILE);
      expect(daemon.stderr.join('')).not.toMatch(/EMFILE|ENFILE/);
    } finally {
      clearInterval(sampler);
    }
  });
});
