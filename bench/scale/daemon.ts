/**
 * The real daemon (`node bin/rollback-watchdog.js run`) as its own process, so the CPU and memory the benchmark
 * reads from /proc are the daemon's alone, not the simulator's. Its JSON log is kept only as a
 * tail and a count of error-level lines (at info, a healthy run logs little after startup).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { request } from 'undici';

// The launcher, as the Dockerfile and `npm start` run it (it turns on the compile cache).
const CLI = fileURLToPath(new URL('../../bin/rollback-watchdog.js', import.meta.url));
const TAIL = 40;

export class BenchDaemon {
  readonly #child: ChildProcess;
  readonly #exit: Promise<number | null>;
  readonly #tail: string[] = [];
  /** Error-level (and worse) log lines by message. */
  readonly errors = new Map<string, number>();
  #exited = false;
  #url: string | undefined;

  private constructor(configPath: string, nodeArgs: readonly string[], env: Record<string, string>) {
    this.#child = spawn(process.execPath, [...nodeArgs, CLI, 'run', '--config', configPath], {
      // Our Node first: the simulator's fake fly is `#!/usr/bin/env node` and needs type stripping.
      env: { PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`, HOME: process.env.HOME, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#exit = new Promise((resolve) =>
      this.#child.once('exit', (code) => {
        this.#exited = true;
        resolve(code);
      }),
    );
    let buffered = '';
    this.#child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line) this.#line(line);
    });
    this.#child.stderr!.on('data', (chunk: Buffer) => this.#remember(`stderr: ${chunk.toString().trimEnd()}`));
  }

  /** Starts the daemon; resolves once its admin server listens. */
  static async start(configPath: string, options: { nodeArgs?: readonly string[]; env?: Record<string, string>; timeoutMs: number }): Promise<BenchDaemon> {
    const daemon = new BenchDaemon(configPath, options.nodeArgs ?? [], options.env ?? {});
    const deadline = Date.now() + options.timeoutMs;
    while (daemon.#url === undefined) {
      if (daemon.#exited) throw new Error(`daemon exited during start:\n${daemon.tail()}`);
      if (Date.now() > deadline) throw new Error(`daemon did not start within ${options.timeoutMs} ms:\n${daemon.tail()}`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return daemon;
  }

  get pid(): number {
    return this.#child.pid!;
  }

  get url(): string {
    return this.#url!;
  }

  get running(): boolean {
    return !this.#exited;
  }

  async get(path: string): Promise<{ status: number; text: string }> {
    const res = await request(`${this.url}${path}`);
    return { status: res.statusCode, text: await res.body.text() };
  }

  async json<T>(path: string): Promise<T> {
    const { status, text } = await this.get(path);
    if (status !== 200) throw new Error(`${path} answered ${status}: ${text.slice(0, 200)}`);
    return JSON.parse(text) as T;
  }

  /** SIGTERM and wait (the daemon drains and exits 0; a CPU profile is written then). */
  async stop(timeoutMs = 30_000): Promise<number | null> {
    if (this.#exited) return this.#exit;
    this.#child.kill('SIGTERM');
    const timer = setTimeout(() => this.#child.kill('SIGKILL'), timeoutMs);
    try {
      return await this.#exit;
    } finally {
      clearTimeout(timer);
    }
  }

  tail(): string {
    return this.#tail.join('\n');
  }

  #line(line: string): void {
    this.#remember(line);
    let record: { level?: number; msg?: string; url?: string };
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      return;
    }
    if (record.msg === 'rollback-watchdog started' && typeof record.url === 'string') this.#url = record.url;
    if ((record.level ?? 0) >= 50) this.errors.set(record.msg ?? '?', (this.errors.get(record.msg ?? '?') ?? 0) + 1);
  }

  #remember(line: string): void {
    this.#tail.push(line.length > 600 ? `${line.slice(0, 600)}…` : line);
    if (this.#tail.length > TAIL) this.#tail.shift();
  }
}
