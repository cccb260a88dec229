/**
 * A real Prometheus server for integration tests (Debian package `prometheus`): 127.0.0.1 on a
 * free port, a throwaway data dir, and a 1 s scrape of the given targets, so a test sees counters
 * in Prometheus a second or two after the simulator moves them.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './http-server.ts';
import { pollUntil } from './poll.ts';

export const PROMETHEUS_BINARY = '/usr/bin/prometheus';
/** Integration tests skip (visibly) where the binary is not installed, e.g. a bare CI image. */
export const hasPrometheus = existsSync(PROMETHEUS_BINARY);

export interface PrometheusServer {
  /** `http://127.0.0.1:PORT`: the base URL a PromQL client takes. */
  url: string;
  stop(): Promise<void>;
}

export interface StartPrometheusOptions {
  /** `host:port` scrape targets on 127.0.0.1, all under `job="app"`. */
  targets: string[];
  readyTimeoutMs?: number;
}

const STDERR_TAIL_CHARS = 4000;

/** Starts Prometheus and resolves once `/-/ready` answers 200. Retries once if the port was taken. */
export async function startPrometheus(options: StartPrometheusOptions): Promise<PrometheusServer> {
  try {
    return await startOnce(options);
  } catch (err) {
    // freePort() hands out a port another process may grab first; one retry makes that a non-issue.
    if (!/address already in use/.test(String(err))) throw err;
    return startOnce(options);
  }
}

async function startOnce({ targets, readyTimeoutMs = 30_000 }: StartPrometheusOptions): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'wd-prometheus-'));
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const config = join(dir, 'prometheus.yml');
  await writeFile(config, scrapeConfig(targets));
  const child = spawn(PROMETHEUS_BINARY, [
    `--config.file=${config}`,
    `--storage.tsdb.path=${join(dir, 'data')}`,
    '--storage.tsdb.retention.time=1h',
    `--web.listen-address=127.0.0.1:${port}`,
    '--log.level=warn',
  ], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-STDERR_TAIL_CHARS);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let running = true;
  void exited.then(() => (running = false));

  const stop = async () => {
    await kill(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await pollUntil(async () => {
      if (!running) throw new Error(`prometheus exited before it was ready:\n${stderr}`);
      return isReady(url);
    }, { timeoutMs: readyTimeoutMs, intervalMs: 100, what: `prometheus on ${url} to be ready` });
  } catch (err) {
    await stop();
    throw err;
  }
  return { url, stop };
}

function scrapeConfig(targets: string[]): string {
  return [
    'global:',
    '  scrape_interval: 1s',
    '  scrape_timeout: 1s',
    '  evaluation_interval: 1s',
    'scrape_configs:',
    '  - job_name: app',
    '    static_configs:',
    `      - targets: ${JSON.stringify(targets)}`,
    '',
  ].join('\n');
}

async function isReady(url: string): Promise<boolean> {
  try {
    return (await fetch(`${url}/-/ready`)).status === 200;
  } catch {
    return false;
  }
}

/** SIGTERM, then SIGKILL if it has not exited within 5 s. */
async function kill(child: ChildProcess, exited: Promise<unknown>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export interface InstantSample {
  metric: Record<string, string>;
  value: [number, string];
}

/** Runs an instant query and returns its vector (throws on anything but a successful vector). */
export async function queryVector(url: string, query: string): Promise<InstantSample[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(query)}`);
  const body = (await res.json()) as { status: string; data?: { resultType: string; result: InstantSample[] } };
  if (body.status !== 'success' || body.data?.resultType !== 'vector') throw new Error(`query ${query} failed: ${JSON.stringify(body)}`);
  return body.data.result;
}

/** Waits until `query` returns at least `minSeries` series, i.e. the targets have been scraped. */
export async function waitForQueryData(url: string, query: string, { minSeries = 1, timeoutMs = 20_000 } = {}): Promise<InstantSample[]> {
  return pollUntil(async () => {
    const result = await queryVector(url, query);
    return result.length >= minSeries ? result : undefined;
  }, { timeoutMs, intervalMs: 200, what: `${query} to return ${minSeries} series` });
}
