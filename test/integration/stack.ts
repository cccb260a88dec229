import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach } from 'vitest';
import { startSimulator, type AddAppOptions, type Simulator } from '../../src/sim/simulator.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import { daemonConfig, type DaemonConfigOptions } from './daemon-config.ts';
import { asCheckout, DaemonProcess } from './daemon-process.ts';

export { TOKEN } from './daemon-config.ts';

/** Phases a rollback ends in: rolled back, failed, or waiting for a human. */
export const ROLLBACK_OVER: readonly string[] = ['rolled-back', 'rollback-failed', 'held'];

/** The first stored incident of `target` and its timeline's kinds, read from the daemon's SQLite file. */
export async function storedIncident(s: Stack, target: string) {
  const store = new SqliteStore(s.dbPath);
  try {
    const [incident] = await store.listIncidents({ target });
    return { incident, timeline: incident ? (await store.incidentTimeline(incident.id)).map((e) => e.kind) : [] };
  } finally {
    await store.close();
  }
}

const open = new Set<Stack>();

/**
 * Closes every stack the file's tests started, after each test, whatever it asserted; a stack
 * whose daemon failed to start too (its simulator would outlive the test).
 */
export function closeStacksAfterEach(): void {
  afterEach(async () => {
    const stacks = [...open];
    open.clear();
    await Promise.all(stacks.map((s) => s.close()));
  });
}

export interface StackOptions extends Omit<DaemonConfigOptions, 'store' | 'pollSchedule' | 'logLevel'> {
  /** Per app, how the simulator creates it (default a healthy web app). */
  appOptions?: Record<string, AddAppOptions>;
  /** Simulated `fly deploy` duration (default 200 ms). */
  deployMs?: number;
  /** Environment for the first daemon process (e.g. a failpoint). */
  env?: Record<string, string>;
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
    open.add(stack);
    stack.sim = await startSimulator({ deployMs: options.deployMs ?? 200, requestRate: 20, seed: 7 });
    for (const app of options.apps) await stack.sim.addApp(app, { profile: 'healthy', ...options.appOptions?.[app] });
    stack.configPath = join(stack.dir, 'watchdog.yaml');
    writeFileSync(stack.configPath, stack.config(options));
    stack.daemon = await new DaemonProcess(stack.configPath, stack.dir).start(15_000, options.env);
    return stack;
  }

  config(options: StackOptions): string {
    return daemonConfig(this.sim, { ...options, store: `{ sqlite: ${JSON.stringify(join(this.dir, 'watchdog.db'))} }` });
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
    open.delete(this);
    await this.daemon?.kill('SIGKILL');
    await this.sim?.close();
    rmSync(this.dir, { recursive: true, force: true });
  }
}
