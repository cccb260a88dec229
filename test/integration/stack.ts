import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type AddAppOptions, type Simulator } from '../../src/sim/simulator.ts';
import { asCheckout, DaemonProcess } from './daemon-process.ts';

export const TOKEN = 'fo1_integration_token_do_not_log';

export interface StackOptions {
  apps: string[];
  /** Per app, how the simulator creates it (default a healthy web app). */
  appOptions?: Record<string, AddAppOptions>;
  /** Simulated `fly deploy` duration (default 200 ms). */
  deployMs?: number;
  /** Environment for the first daemon process (e.g. a failpoint). */
  env?: Record<string, string>;
  /** Top-level YAML appended to the config (mode, notifications, incidents…). */
  extraYaml?: string;
  /** YAML appended to every target (indented by the caller as target fields). */
  targetYaml?: string | ((sim: Simulator) => string);
  /** `health-only` probes just /api/v1/health (error-rate tests: its 200 hides failing traffic). */
  probes?: 'health-and-ready' | 'health-only';
  verify?: { timeout?: string; successes?: number };
  rollback?: { retryBackoff?: string; deployAttempts?: number };
  /** Extra YAML merged at the top level, e.g. per-test guard settings. */
  guard?: { watchWindow?: string; probeInterval?: string; failureThreshold?: number };
  flyTimeouts?: { releases?: string; deploy?: string };
  /** platform.fly.machinesApi.relistEvery (default 10m: polls list only when the machines change). */
  relistEvery?: string;
}

/**
 * Simulator + config file + the real daemon process; `close()` tears all of it down. The daemon
 * runs in a directory that looks like a checkout of the watchdog (its own fly.toml beside it).
 */
export class Stack {
  readonly dir = asCheckout(mkdtempSync(join(tmpdir(), 'wd-it-')));
  sim!: Simulator;
  daemon!: DaemonProcess;
  configPath = '';

  static async start(options: StackOptions): Promise<Stack> {
    const stack = new Stack();
    stack.sim = await startSimulator({ deployMs: options.deployMs ?? 200, requestRate: 20, seed: 7 });
    for (const app of options.apps) await stack.sim.addApp(app, { profile: 'healthy', ...options.appOptions?.[app] });
    stack.configPath = join(stack.dir, 'watchdog.yaml');
    writeFileSync(stack.configPath, stack.config(options));
    stack.daemon = await new DaemonProcess(stack.configPath, stack.dir).start(15_000, options.env);
    return stack;
  }

  config(options: StackOptions): string {
    const g = { watchWindow: '2s', probeInterval: '200ms', failureThreshold: 3, ...options.guard };
    const targets = options.apps
      .map(
        (app) => `
  - name: ${app}
    environment: test
    probes:
      - { name: health, url: "${this.sim.appUrl(app)}/api/v1/health", timeout: 500ms }${
        options.probes === 'health-only' ? '' : `
      - { name: ready, url: "${this.sim.appUrl(app)}/api/v1/ready", timeout: 500ms }`
      }${typeof options.targetYaml === 'function' ? options.targetYaml(this.sim) : (options.targetYaml ?? '')}`,
      )
      .join('');
    return `
store: { sqlite: ${JSON.stringify(join(this.dir, 'watchdog.db'))} }
admin: { host: 127.0.0.1, port: 0 }
log: { level: debug, pretty: false }
platform:
  fly:
    binary: ${JSON.stringify(this.sim.flyBinary)}
    apiToken: ${TOKEN}
    apiBaseUrl: ${JSON.stringify(this.sim.controlUrl)}
    # As in production: polls read the Machines API and list releases only when it changed.
    machinesApi: { url: ${JSON.stringify(this.sim.controlUrl)}${options.relistEvery ? `, relistEvery: ${options.relistEvery}` : ''} }
    timeouts: { releases: ${options.flyTimeouts?.releases ?? '5s'}, status: 5s, logs: 5s, deploy: ${options.flyTimeouts?.deploy ?? '30s'} }
detection: { pollSchedule: "* * * * * *" }
shutdownGrace: 5s
defaults:
  guard: { watchWindow: ${g.watchWindow}, probeInterval: ${g.probeInterval}, failureThreshold: ${g.failureThreshold} }
  verify: { timeout: ${options.verify?.timeout ?? '10s'}, successes: ${options.verify?.successes ?? 2} }
  rollback: { waitTimeout: 10s, reissueAfter: 3s, retryBackoff: ${options.rollback?.retryBackoff ?? '500ms'}, deployAttempts: ${options.rollback?.deployAttempts ?? 3} }
${options.extraYaml ?? ''}
targets:${targets}
`;
  }

  /** The daemon's SQLite file, for reading what it stored (WAL lets us read beside it). */
  get dbPath(): string {
    return join(this.dir, 'watchdog.db');
  }

  /** Starts a fresh daemon process on the same config and store (a restart). */
  async restart(): Promise<DaemonProcess> {
    this.daemon = await new DaemonProcess(this.configPath, this.dir).start();
    return this.daemon;
  }

  async close(): Promise<void> {
    await this.daemon?.kill('SIGKILL');
    await this.sim?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
