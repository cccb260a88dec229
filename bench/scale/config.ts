/**
 * The daemon's config for a scale run: every simulated app as a target with the probes a real
 * service would have (health and readiness over HTTP, the error rate scraped from its /metrics),
 * a watch window longer than the run so every target stays `guarding`, and the default SQLite
 * store in the run's temp dir. Pure: the YAML is the whole interface to the daemon.
 */

export interface ScaleConfigOptions {
  /** Run directory: the SQLite file goes here. */
  dir: string;
  /** Fly app name and base URL (http://127.0.0.1:PORT) of each simulated app. */
  apps: readonly { name: string; url: string }[];
  flyBinary: string;
  controlUrl: string;
  /** `5s`. */
  probeInterval: string;
  /** node-cron expression for `fly releases` polls. */
  pollSchedule: string;
  /** platform.fly.maxConcurrent; left out (the default) when undefined. */
  maxConcurrent?: number;
  /** Scrape each app's /metrics for the error rate (default true). */
  errorRate?: boolean;
  /** Ask the simulator's Machines API before listing releases (default true, as in production). */
  machinesApi?: boolean;
  logLevel?: string;
}

export const BENCH_FLY_TOKEN = 'fo1_scale_bench_token_not_a_secret';

export function scaleConfig(o: ScaleConfigOptions): string {
  const q = (s: string) => JSON.stringify(s);
  const targets = o.apps
    .map(
      (app) => `
  - name: ${app.name}
    environment: bench
    probes:
      - { name: health, url: ${q(`${app.url}/api/v1/health`)}, timeout: 2s }
      - { name: ready, url: ${q(`${app.url}/api/v1/ready`)}, timeout: 2s }${
        o.errorRate === false
          ? ''
          : `
    errorRate:
      source: { type: scrape, urls: [${q(app.url)}], timeout: 2s }`
      }`,
    )
    .join('');
  return `# rollback-watchdog scale benchmark: ${o.apps.length} targets
store: { sqlite: ${q(`${o.dir}/watchdog.db`)} }
admin: { host: 127.0.0.1, port: 0 }
log: { level: ${o.logLevel ?? 'info'}, pretty: false }
platform:
  fly:
    binary: ${q(o.flyBinary)}
    apiToken: ${BENCH_FLY_TOKEN}
    apiBaseUrl: ${q(o.controlUrl)}
    machinesApi: { enabled: ${o.machinesApi !== false}, url: ${q(o.controlUrl)} }${o.maxConcurrent === undefined ? '' : `
    maxConcurrent: ${o.maxConcurrent}`}
detection: { pollSchedule: ${q(o.pollSchedule)} }
shutdownGrace: 5s
defaults:
  # Longer than any run: every target stays guarding while it is measured.
  guard: { watchWindow: 6h, probeInterval: ${o.probeInterval}, failureThreshold: 3 }
targets:${targets}
`;
}
