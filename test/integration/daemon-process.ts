/**
 * The real daemon as a child process (`node src/cli.ts run`), as production runs it. Its JSON log
 * lines are collected for assertions; its admin API is how tests observe it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

const CLI = fileURLToPath(new URL('../../src/cli.ts', import.meta.url));

/**
 * Makes `dir` look like a checkout of the watchdog, where `npm start` runs it: the watchdog's own
 * fly.toml (app rollback-watchdog, a watchdog_data mount) in the daemon's working directory.
 * flyctl, and the simulator's fake fly, read ./fly.toml; a rollback must not deploy it.
 */
export function asCheckout(dir: string): string {
  copyFileSync(new URL('../../fly.toml', import.meta.url), join(dir, 'fly.toml'));
  return dir;
}

export interface TargetStatus {
  name: string;
  phase: string;
  reason?: string;
  current?: { version: number; imageRef: string; status: string };
  guard?: { version: number };
  rollback?: { from: number; to: number; rollbackVersion?: number };
  hold?: { kind: string; reason: string };
}

export interface ReleaseRow {
  version: number;
  imageRef: string;
  verdict: string;
  origin: string;
  status: string;
  verdictReason?: string;
}

export class DaemonProcess {
  readonly records: Record<string, unknown>[] = [];
  readonly stderr: string[] = [];
  url = '';
  #child: ChildProcess | undefined;
  #exit: Promise<number | null> | undefined;
  #exited = false;

  readonly configPath: string;
  /** The daemon's working directory (default the test's). */
  readonly cwd: string | undefined;

  constructor(configPath: string, cwd?: string) {
    this.configPath = configPath;
    this.cwd = cwd;
  }

  /** The daemon's process id (for /proc/PID), once started. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /**
   * Starts the daemon and resolves once its admin server listens. `nofile` runs it with that limit
   * on open files (soft and hard), set by the shell that then becomes the daemon.
   */
  async start(timeoutMs = 15_000, env: Record<string, string> = {}, options: { nofile?: number } = {}): Promise<this> {
    const argv = [CLI, 'run', '--config', this.configPath];
    const [command, args] = options.nofile
      ? ['/bin/sh', ['-c', `ulimit -n ${options.nofile} && exec "$0" "$@"`, process.execPath, ...argv]]
      : [process.execPath, argv];
    const child = spawn(command, args, {
      ...(this.cwd !== undefined ? { cwd: this.cwd } : {}),
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    this.#exit = new Promise((resolve) =>
      child.once('exit', (code) => {
        this.#exited = true;
        resolve(code);
      }),
    );
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines.filter(Boolean)) {
        try {
          this.records.push(JSON.parse(line) as Record<string, unknown>);
        } catch {
          this.stderr.push(`non-JSON stdout: ${line}`);
        }
      }
    });
    child.stderr!.on('data', (chunk: Buffer) => this.stderr.push(chunk.toString()));
    const started = await this.waitForLog((r) => r.msg === 'rollback-watchdog started', timeoutMs, 'daemon start');
    this.url = started.url as string;
    return this;
  }

  /** Resolves with the first log record matching `predicate`, polling until `timeoutMs`. */
  async waitForLog(predicate: (r: Record<string, unknown>) => boolean, timeoutMs: number, what: string): Promise<Record<string, unknown>> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.records.find(predicate);
      if (found) return found;
      if (this.#exited) throw new Error(`daemon exited while waiting for ${what}:\n${this.stderr.join('')}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last logs:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  async api<T>(path: string, init: { method?: 'GET' | 'POST'; body?: unknown } = {}): Promise<{ status: number; body: T }> {
    const res = await request(`${this.url}${path}`, {
      method: init.method ?? 'GET',
      ...(init.body !== undefined && { body: JSON.stringify(init.body), headers: { 'content-type': 'application/json' } }),
    });
    return { status: res.statusCode, body: (await res.body.json()) as T };
  }

  /** The sum of a metric's samples on /metrics (0 when it has none yet), optionally only those whose line holds every `having`. */
  async metric(name: string, ...having: string[]): Promise<number> {
    const res = await request(`${this.url}/metrics`);
    const text = await res.body.text();
    return text
      .split('\n')
      .filter((line) => (line.startsWith(`${name}{`) || line.startsWith(`${name} `)) && having.every((h) => line.includes(h)))
      .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(' ') + 1)), 0);
  }

  /** Polls `predicate` until it holds; fails with the recent logs otherwise. */
  async waitUntil(predicate: () => Promise<boolean>, timeoutMs: number, what: string): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await predicate())) {
      if (this.#exited) throw new Error(`daemon exited while waiting for ${what}:\n${this.stderr.join('')}`);
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; last logs:\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  async target(name: string): Promise<TargetStatus> {
    const { body } = await this.api<{ targets: TargetStatus[] }>('/api/v1/status');
    const found = body.targets.find((t) => t.name === name);
    if (!found) throw new Error(`no target ${name}`);
    return found;
  }

  async releases(name: string): Promise<ReleaseRow[]> {
    return (await this.api<{ releases: ReleaseRow[] }>(`/api/v1/targets/${name}/releases`)).body.releases;
  }

  /** Polls the target's status until `predicate` holds; fails with the recent logs otherwise. */
  async waitForTarget(name: string, predicate: (t: TargetStatus) => boolean, timeoutMs: number, what: string): Promise<TargetStatus> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const t = await this.target(name);
      if (predicate(t)) return t;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; target is ${JSON.stringify(t)}\ndecisions:\n${this.decisionLog()}`);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }

  decisions(target: string): string[] {
    return this.records.filter((r) => r.target === target && typeof r.decision === 'string').map((r) => r.decision as string);
  }

  /** Every decision record, one line each: what a failed wait most needs to show. */
  decisionLog(): string {
    return this.records
      .filter((r) => typeof r.decision === 'string')
      .map((r) => `${new Date(r.time as number).toISOString()} ${String(r.target)} ${String(r.decision)}: ${String(r.msg)}`)
      .join('\n');
  }

  tail(n = 15): string {
    return this.records.slice(-n).map((r) => JSON.stringify(r)).join('\n');
  }

  /** Resolves when the process has exited (e.g. killed by a failpoint). */
  async exited(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!this.#exited) {
      if (Date.now() > deadline) throw new Error(`daemon still running after ${timeoutMs}ms\n${this.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }

  /** Sends `signal` and resolves with the exit code (null when killed by the signal). */
  async kill(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | null> {
    if (!this.#child || this.#exited) return null;
    this.#child.kill(signal);
    return this.#exit!;
  }
}
