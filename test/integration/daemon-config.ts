/**
 * The one config the integration tests run the real daemon with, against the local Fly simulator:
 * short windows and intervals so a whole guard and rollback take seconds, the Machines API check
 * on as in production. The single-daemon stack (SQLite) and the replica stack (PostgreSQL) differ
 * only in the store section, the poll schedule and the log level.
 */
import type { Simulator } from '../../src/sim/simulator.ts';

export const TOKEN = 'fo1_integration_token_do_not_log';

export interface DaemonConfigOptions {
  apps: string[];
  /** The `store:` section's body, e.g. `{ sqlite: "/tmp/…/watchdog.db" }`. */
  store: string;
  /** `health-only` probes just /api/v1/health (error-rate tests: its 200 hides failing traffic). */
  probes?: 'health-and-ready' | 'health-only';
  /** YAML appended to every target (indented by the caller as target fields). */
  targetYaml?: string | ((sim: Simulator) => string);
  guard?: { watchWindow?: string; probeInterval?: string; failureThreshold?: number; stuckAfter?: string };
  verify?: { timeout?: string; successes?: number };
  rollback?: { retryBackoff?: string; deployAttempts?: number; waitTimeout?: string };
  flyTimeouts?: { releases?: string; deploy?: string };
  /** platform.fly.machinesApi.relistEvery (default 10m: polls list only when the machines change). */
  relistEvery?: string;
  /** detection.pollSchedule (default every second). */
  pollSchedule?: string;
  logLevel?: 'debug' | 'info';
  /** Top-level YAML appended to the config (mode, notifications, incidents, groups…). */
  extraYaml?: string;
}

export function daemonConfig(sim: Simulator, o: DaemonConfigOptions): string {
  const g = { watchWindow: '2s', probeInterval: '200ms', failureThreshold: 3, ...o.guard };
  const targets = o.apps
    .map(
      (app) => `
  - name: ${app}
    environment: test
    probes:
      - { name: health, url: "${sim.appUrl(app)}/api/v1/health", timeout: 500ms }${
        o.probes === 'health-only'
          ? ''
          : `
      - { name: ready, url: "${sim.appUrl(app)}/api/v1/ready", timeout: 500ms }`
      }${typeof o.targetYaml === 'function' ? o.targetYaml(sim) : (o.targetYaml ?? '')}`,
    )
    .join('');
  return `
store: ${o.store}
admin: { host: 127.0.0.1, port: 0 }
log: { level: ${o.logLevel ?? 'debug'}, pretty: false }
platform:
  fly:
    binary: ${JSON.stringify(sim.flyBinary)}
    apiToken: ${TOKEN}
    apiBaseUrl: ${JSON.stringify(sim.controlUrl)}
    # As in production: polls read the Machines API and list releases only when it changed.
    machinesApi: { url: ${JSON.stringify(sim.controlUrl)}${o.relistEvery ? `, relistEvery: ${o.relistEvery}` : ''} }
    timeouts: { releases: ${o.flyTimeouts?.releases ?? '5s'}, status: 5s, logs: 5s, deploy: ${o.flyTimeouts?.deploy ?? '30s'} }
detection: { pollSchedule: "${o.pollSchedule ?? '* * * * * *'}" }
shutdownGrace: 5s
defaults:
  guard: { watchWindow: ${g.watchWindow}, probeInterval: ${g.probeInterval}, failureThreshold: ${g.failureThreshold}${g.stuckAfter ? `, stuckAfter: ${g.stuckAfter}` : ''} }
  verify: { timeout: ${o.verify?.timeout ?? '10s'}, successes: ${o.verify?.successes ?? 2} }
  rollback: { waitTimeout: ${o.rollback?.waitTimeout ?? '10s'}, reissueAfter: 3s, retryBackoff: ${o.rollback?.retryBackoff ?? '500ms'}, deployAttempts: ${o.rollback?.deployAttempts ?? 3} }
${o.extraYaml ?? ''}
targets:${targets}
`;
}
