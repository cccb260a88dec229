import { join } from 'node:path';
import type { Simulator } from '../sim/simulator.ts';

/** The demo's config: the real schema, with intervals shrunk so the story fits in under a minute. */
export function buildDemoConfig({ sim, app, dir }: { sim: Simulator; app: string; dir: string }): string {
  const url = sim.appUrl(app);
  return `
store:
  sqlite: ${JSON.stringify(join(dir, 'watchdog.db'))}
admin:
  host: 127.0.0.1
  port: 0
log:
  level: info
platform:
  fly:
    binary: ${JSON.stringify(sim.flyBinary)}
    apiToken: demo-token-not-a-secret
    apiBaseUrl: ${JSON.stringify(sim.controlUrl)}
    # Polls read the simulator's Machines API and run \`fly releases\` only when it changed.
    machinesApi: { url: ${JSON.stringify(sim.controlUrl)} }
detection:
  pollSchedule: "* * * * * *"
defaults:
  guard: { watchWindow: 5s, probeInterval: 500ms, failureThreshold: 3 }
  verify: { timeout: 20s, successes: 2 }
  rollback: { strategy: immediate, waitTimeout: 30s }
targets:
  - name: ${app}
    environment: demo
    probes:
      - { name: health, url: "${url}/api/v1/health", timeout: 1s }
      - { name: ready, url: "${url}/api/v1/ready", timeout: 1s }
    # The app's own /metrics: its 5xx ratio is judged by the sequential test (docs/statistics.md).
    errorRate:
      source: { type: scrape, urls: ["${url}/metrics"] }
      maxWindow: 15s
      # A real baseline spans an hour (the default); the demo's minutes cannot wait that long.
      minBaselineSpan: 5s
`;
}
