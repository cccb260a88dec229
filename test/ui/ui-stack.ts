/**
 * The simulator and the real daemon for the browser tests: the integration Stack's config, plus
 * admin tokens (one operator, one viewer), a fixed admin port so the daemon can restart under an
 * open page, and two targets that fail differently:
 * - API runs in auto mode and is judged on its error rate (scraped from the fake app), so the
 *   chart has points for the guarded release and its baseline;
 * - WORKER runs in approve mode, so its rollback is held for a click.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { request } from 'undici';
import { parse, stringify } from 'yaml';
import { startSimulator } from '../../src/sim/simulator.ts';
import { DaemonProcess } from '../integration/daemon-process.ts';
import { Stack } from '../integration/stack.ts';
import { freePort } from '../support/http-server.ts';

export const API = 'renderflow-api';
export const WORKER = 'renderflow-worker';
// Distinctive values, so a grep for them cannot match anything by accident.
export const OPERATOR_TOKEN = 'ui-operator-tok-7f3c9a1e5b2d';
export const VIEWER_TOKEN = 'ui-viewer-tok-2d8e6b4f0c9a';

interface TargetYaml {
  name: string;
  [key: string]: unknown;
}

export async function startUiStack(): Promise<Stack> {
  const stack = new Stack();
  try {
    // Short deploys: while Fly rolls a release out, its traffic still counts toward the baseline.
    stack.sim = await startSimulator({ deployMs: 300, requestRate: 20, seed: 7 });
    // API gets enough traffic for a real baseline (minBaselineRequests is 200) by the time it is judged.
    await stack.sim.addApp(API, { profile: 'healthy', requestRate: 100 });
    await stack.sim.addApp(WORKER, { profile: 'healthy' });
    const config = parse(stack.config({ apps: [API, WORKER], probes: 'health-only' })) as { admin: unknown; targets: TargetYaml[] };
    config.admin = {
      host: '127.0.0.1',
      port: await freePort(),
      tokens: [
        { name: 'oncall', role: 'operator', token: OPERATOR_TOKEN },
        { name: 'dashboard', role: 'viewer', token: VIEWER_TOKEN },
      ],
    };
    const api = config.targets.find((t) => t.name === API)!;
    // The health probe of an errors:P release fails P% of the time too: a high threshold lets the
    // error-rate test decide (as in test/integration/judging.test.ts).
    // A window long enough for the sequential test to decide (2 s can end before it has evidence),
    // and readings twice as often, so the chart has several points before the verdict.
    api.guard = { failureThreshold: 40, watchWindow: '5s', probeInterval: '100ms' };
    // A baseline of seconds, not the default hour (the test waits for 500 of its requests), and
    // verdicts after seconds, not the default 12 s, so v1's guard (and the page's wait) stays short.
    api.errorRate = { source: { type: 'scrape', urls: [`${stack.sim.appUrl(API)}/metrics`] }, minRequests: 20, maxWindow: '15s', minDecision: '3s', minBaselineSpan: '3s' };
    config.targets.find((t) => t.name === WORKER)!.mode = 'approve';
    stack.configPath = join(stack.dir, 'watchdog.yaml');
    writeFileSync(stack.configPath, stringify(config));
    stack.daemon = await new DaemonProcess(stack.configPath).start(15_000);
    // The first start: API's v1 ran before the watchdog, which has no evidence for it (no baseline
    // yet), so the operator vouches for it, as the README asks. The worker has no error rate.
    await stack.daemon.waitForLog((r) => r.target === API && r.decision === 'guard-started', 15_000, 'API v1 guarded');
    await apiPost(stack, `/api/v1/targets/${API}/releases/1/mark-good`, { reason: 'ran before the watchdog' });
    return stack;
  } catch (err) {
    await stack.close();
    throw err;
  }
}

/** Requests `app` has served so far, from its own /metrics (all statuses, every machine). */
export function requestsServed(stack: Stack, app: string): number {
  return [...stack.sim.metricsText(app).matchAll(/^http_requests_total\{[^}]*\} (\d+)/gm)].reduce((sum, m) => sum + Number(m[1]), 0);
}

/** GET `path` from the daemon with the operator token (DaemonProcess.api sends none). */
export async function apiGet<T>(stack: Stack, path: string): Promise<T> {
  const res = await request(`${stack.daemon.url}${path}`, { headers: { authorization: `Bearer ${OPERATOR_TOKEN}` } });
  if (res.statusCode !== 200) throw new Error(`GET ${path}: ${res.statusCode} ${await res.body.text()}`);
  return (await res.body.json()) as T;
}

/** POST `path` as the operator; anything but 200 is an error. */
export async function apiPost(stack: Stack, path: string, body: unknown): Promise<void> {
  const res = await request(`${stack.daemon.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${OPERATOR_TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  if (res.statusCode !== 200) throw new Error(`POST ${path}: ${res.statusCode} ${await res.body.text()}`);
  await res.body.dump();
}

/** Polls a target's summary until `predicate` holds. */
export async function waitForPhase(stack: Stack, name: string, predicate: (phase: string) => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const { targets } = await apiGet<{ targets: { name: string; phase: string }[] }>(stack, '/api/v1/status');
    const phase = targets.find((t) => t.name === name)?.phase ?? 'missing';
    if (predicate(phase)) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}: ${name} is ${phase}\n${stack.daemon.decisionLog()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
