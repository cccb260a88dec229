/**
 * Everything one end-to-end run needs, started in dependency order and registered for teardown:
 * the simulator with two apps per scenario, the peer's webhook, Alertmanager, Prometheus (scraping
 * every app, evaluating the peer's rule) and the real watchdog daemon reading the same Prometheus.
 * One shared stack for all scenarios, as a user runs one Prometheus for all apps: one warm-up, and
 * three servers instead of three per scenario on a 2-core machine. Apps do not share any state.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { DaemonProcess } from '../../test/integration/daemon-process.ts';
import { startAlertmanager } from '../support/alertmanager-server.ts';
import type { Cleanup } from '../support/cleanup.ts';
import type { ManagedServer } from '../support/managed-server.ts';
import { startPrometheus } from '../support/prometheus-server.ts';
import { peerRules, watchdogConfig, type E2eTiming } from './e2e-config.ts';
import { startPeerWebhook, type PeerWebhook } from './e2e-peer.ts';
import { appName, BASELINE_ERROR_RATE, type DetectorName, type E2eScenario } from './e2e-scenarios.ts';

export interface E2eStack {
  sim: Simulator;
  peer: PeerWebhook;
  prometheus: ManagedServer;
  daemon: DaemonProcess;
  /** Image of every app's first (healthy) release: what a rollback goes back to. */
  firstImage: ReadonlyMap<string, string>;
}

const DETECTORS: readonly DetectorName[] = ['watchdog', 'peer'];
const DAEMON_STOP_GRACE_MS = 8_000;

export async function startE2eStack(scenarios: readonly E2eScenario[], timing: E2eTiming, errorRate: boolean, cleanup: Cleanup): Promise<E2eStack> {
  const sim = cleanup.add('simulator', await startSimulator({
    deployMs: timing.deployMs,
    requestRate: timing.requestRate,
    baselineErrorRate: BASELINE_ERROR_RATE,
    seed: 4,
  }), (s) => s.close());
  const firstImage = new Map<string, string>();
  for (const scenario of scenarios) {
    for (const detector of DETECTORS) {
      const app = appName(scenario, detector);
      firstImage.set(app, (await sim.addApp(app, { profile: 'healthy' })).imageRef);
    }
  }
  const peer = cleanup.add('peer webhook', await startPeerWebhook({
    sim,
    previousImage: (app) => firstImage.get(app),
    verifyTimeoutMs: 60_000,
    verifyPollMs: 1_000,
  }), (p) => p.close());
  const alertmanager = cleanup.add('alertmanager', await startAlertmanager({
    webhookUrl: peer.url,
    groupBy: ['alertname', 'app'],
    // The peer at its fastest: no batching delay before the first notification.
    groupWait: '0s',
    groupInterval: '5s',
    repeatInterval: '1h',
  }), (a) => a.stop());
  const prometheus = cleanup.add('prometheus', await startPrometheus({
    targets: [...firstImage.keys()].map((app) => ({
      address: new URL(sim.appUrl(app)).host,
      labels: { app, detector: app.endsWith('-wd') ? 'watchdog' : 'peer' },
    })),
    scrapeInterval: timing.scrapeInterval,
    evaluationInterval: timing.ruleInterval,
    rules: peerRules(timing),
    alertmanager: alertmanager.address,
  }), (p) => p.stop());
  const dir = cleanup.add('daemon directory', await mkdtemp(join(tmpdir(), 'wd-bench-e2e-')), (d) => rm(d, { recursive: true, force: true }));
  const configPath = join(dir, 'watchdog.yaml');
  await writeFile(configPath, watchdogConfig({ sim, dir, prometheusUrl: prometheus.url, scenarios, timing, errorRate }));
  const daemon = cleanup.add('watchdog daemon', new DaemonProcess(configPath), stopDaemon);
  // The fake fly is `#!/usr/bin/env node`: this Node (which strips types) must come first on PATH.
  await daemon.start(30_000, { PATH: sim.flyEnv().PATH ?? '' });
  return { sim, peer, prometheus, daemon, firstImage };
}

/** SIGTERM (the daemon drains within its 5 s shutdownGrace), SIGKILL if it is still there after. */
async function stopDaemon(daemon: DaemonProcess): Promise<void> {
  await Promise.race([daemon.kill('SIGTERM'), new Promise((resolve) => setTimeout(resolve, DAEMON_STOP_GRACE_MS))]);
  await daemon.kill('SIGKILL');
}
