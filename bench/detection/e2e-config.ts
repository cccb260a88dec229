/**
 * The settings both detectors run with, and the files that set them up: the watchdog's YAML config
 * and the peer's Prometheus alert rule. Realistic but short: 5 s scrapes, probes and polls; the
 * peer's rule is the (error ratio > 5 % for 1 m, evaluated every 15 s).
 */
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import type { Simulator } from '../../src/sim/simulator.ts';
import { appName, type E2eScenario } from './e2e-scenarios.ts';

export interface E2eTiming {
  /** Prometheus scrape interval (both detectors read through it). */
  scrapeInterval: string;
  /** The peer's rule evaluation interval and `for:` duration. */
  ruleInterval: string;
  ruleFor: string;
  /** Watchdog probe interval (s), consecutive failures that fail a release, release poll cron. */
  probeIntervalS: number;
  failureThreshold: number;
  pollSchedule: string;
  /** Simulated `fly deploy` duration, for the bad deploy and both rollbacks. */
  deployMs: number;
  /** Steady traffic per app, and a compressed baseline: `boostRps` for `boostMs` before it. */
  requestRate: number;
  boostRps: number;
  boostMs: number;
  /** Steady traffic after the boost, before the first deploy; ≥ the rule's 1 m rate window. */
  settleMs: number;
  /** Between the deploys of consecutive scenarios, so rollbacks do not all coincide. */
  staggerMs: number;
  /** How long each scenario is watched after its fault onset. */
  windowMs: number;
}

export const DEFAULT_E2E_TIMING: Readonly<E2eTiming> = Object.freeze({
  scrapeInterval: '5s',
  ruleInterval: '15s',
  ruleFor: '1m',
  probeIntervalS: 5,
  failureThreshold: 2,
  pollSchedule: '*/5 * * * * *',
  deployMs: 2_000,
  requestRate: 20,
  // 200 req/s for 60 s is the request count of 10 minutes at 20 req/s: a baseline as long as a
  // real one, without waiting 10 minutes. The error-rate statistics see counts, not time.
  boostRps: 200,
  boostMs: 60_000,
  settleMs: 65_000,
  staggerMs: 3_000,
  windowMs: 180_000,
});

/** Threshold of the peer rule: 5 % errors, as in the issue. */
export const PEER_ERROR_RATIO = 0.05;

/** The do-it-yourself peer's alert, over every app labelled `detector="peer"`, one alert per app. */
export function peerRules(timing: E2eTiming): string {
  const rate = (selector: string) => `sum by (app) (rate(http_requests_total{${selector}}[1m]))`;
  return stringify({
    groups: [
      {
        name: 'rollback-peer',
        interval: timing.ruleInterval,
        rules: [
          {
            alert: 'HighErrorRatio',
            expr: `${rate('detector="peer",status=~"5.."')} / ${rate('detector="peer"')} > ${PEER_ERROR_RATIO}`,
            for: timing.ruleFor,
            labels: { severity: 'page' },
          },
        ],
      },
    ],
  });
}

const SMOKE_SCRIPT = fileURLToPath(new URL('./e2e-smoke-check.ts', import.meta.url));
/** The smoke test's latency budget for the home page. */
const SMOKE_BUDGET_MS = 1_000;

function target(sim: Simulator, prometheusUrl: string, scenario: E2eScenario, errorRate: boolean, timing: E2eTiming, watchWindow: string): Record<string, unknown> {
  const app = appName(scenario, 'watchdog');
  const url = sim.appUrl(app);
  const counters = (extra: string) => `sum by (instance) (http_requests_total{app="${app}"${extra}})`;
  return {
    name: app,
    app,
    environment: 'bench',
    probes: [
      // 3 s: well above a healthy answer, above the smoke scenario's 1.5 s, below the 5 s interval.
      { name: 'health', url: `${url}/api/v1/health`, timeout: '3s' },
      { name: 'ready', url: `${url}/api/v1/ready`, timeout: '3s' },
      ...(scenario.smoke
        ? [{
            name: 'smoke',
            type: 'smoke',
            command: [process.execPath, SMOKE_SCRIPT, `${url}/`, String(SMOKE_BUDGET_MS)],
            timeout: '10s',
            retries: 1,
            retryDelay: '2s',
            interval: '10s',
          }]
        : []),
    ],
    ...(errorRate && {
      errorRate: {
        source: { type: 'prometheus', url: prometheusUrl, requests: counters(''), errors: counters(',status=~"5.."'), timeout: '4s' },
        // No extension past the watch window: the run ends with it.
        maxWindow: watchWindow,
        // The compressed baseline has a long baseline's requests but not its hours: the default
        // minimum span (1h) would leave every release unproven. Half a minute of slack for the
        // first scrape and the minute blocks the history keeps.
        minBaselineSpan: `${Math.floor((timing.boostMs + timing.settleMs - 30_000) / 1000)}s`,
      },
    }),
  };
}

export interface WatchdogConfigInput {
  sim: Simulator;
  dir: string;
  prometheusUrl: string;
  scenarios: readonly E2eScenario[];
  timing: E2eTiming;
  /** Include the `errorRate` block (off: probes and smoke tests only). */
  errorRate: boolean;
}

/** The daemon's config: one target per scenario, guarded for longer than the scenario is watched. */
export function watchdogConfig({ sim, dir, prometheusUrl, scenarios, timing, errorRate }: WatchdogConfigInput): string {
  const watchWindow = `${Math.ceil((timing.windowMs + 60_000) / 1000)}s`;
  return stringify({
    store: { sqlite: `${dir}/watchdog.db` },
    admin: { host: '127.0.0.1', port: 0 },
    log: { level: 'info', pretty: false },
    platform: {
      fly: {
        binary: sim.flyBinary,
        apiToken: 'bench-token-not-secret',
        apiBaseUrl: sim.controlUrl,
        timeouts: { releases: '10s', status: '10s', logs: '10s', deploy: '60s' },
      },
    },
    detection: { pollSchedule: timing.pollSchedule },
    shutdownGrace: '5s',
    defaults: {
      guard: { watchWindow, probeInterval: `${timing.probeIntervalS}s`, failureThreshold: timing.failureThreshold },
      verify: { timeout: '60s', successes: 2 },
      rollback: { strategy: 'immediate', waitTimeout: '30s' },
    },
    targets: scenarios.map((s) => target(sim, prometheusUrl, s, errorRate, timing, watchWindow)),
  });
}
