/**
 * A long-running helper server (Prometheus, Alertmanager) for benchmarks: spawned on a free
 * 127.0.0.1 port with a throwaway directory, ready once its `/-/ready` answers 200, and always
 * stopped (SIGTERM, then SIGKILL) with its directory removed, also when it never became ready.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '../../test/support/http-server.ts';
import { pollUntil } from '../../test/support/poll.ts';

export interface ManagedServer {
  /** `http://127.0.0.1:PORT`, no trailing slash. */
  url: string;
  /** `127.0.0.1:PORT`, as Prometheus configs name targets. */
  address: string;
  /** Last few KB of the server's stderr, for error messages. */
  stderrTail(): string;
  stop(): Promise<void>;
}

export interface ManagedServerOptions {
  name: string;
  binary: string;
  /** The Debian package that installs `binary`, named when it is missing. */
  debianPackage: string;
  /** Writes the server's config files into `dir` and returns its argv for `port`. */
  prepare(dir: string, port: number): Promise<string[]>;
  readyTimeoutMs?: number;
}

const STDERR_TAIL_CHARS = 4000;
const START_ATTEMPTS = 3;
const KILL_GRACE_MS = 5_000;

/** Starts the server; retries on a new port if another process took the free one first. */
export async function startManagedServer(options: ManagedServerOptions): Promise<ManagedServer> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(options);
    } catch (err) {
      // freePort() releases the port before the server binds it; a race is rare but possible.
      if (attempt >= START_ATTEMPTS || !/address already in use/.test(String(err))) throw err;
    }
  }
}

async function startOnce({ name, binary, debianPackage, prepare, readyTimeoutMs = 30_000 }: ManagedServerOptions): Promise<ManagedServer> {
  const dir = await mkdtemp(join(tmpdir(), `wd-bench-${name}-`));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let child: ChildProcess | undefined;
  let stderr = '';
  let exited: Promise<unknown> = Promise.resolve();
  const stop = async () => {
    if (child) await terminate(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const args = await prepare(dir, port);
    child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    // Without a listener, a missing binary is an unhandled 'error' event that ends the benchmark
    // without stopping what it started.
    let spawnError: NodeJS.ErrnoException | undefined;
    child.once('error', (err) => (spawnError = err));
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
    });
    const running = child;
    exited = new Promise((resolve) => running.once('exit', resolve));
    await pollUntil(async () => {
      if (spawnError?.code === 'ENOENT') throw new Error(`${name}: ${binary} not found; install it with apt-get install ${debianPackage}`);
      if (spawnError) throw new Error(`${name}: could not start ${binary}: ${spawnError.message}`);
      if (running.exitCode !== null || running.signalCode !== null) throw new Error(`${name} exited before it was ready:\n${stderr}`);
      return isReady(url);
    }, { timeoutMs: readyTimeoutMs, intervalMs: 100, what: `${name} on ${url} to be ready` });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, address: `127.0.0.1:${port}`, stderrTail: () => stderr, stop };
}

async function isReady(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/-/ready`, { signal: AbortSignal.timeout(2_000) })).status === 200;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if it has not exited within the grace period. */
async function terminate(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), KILL_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
