/**
 * Latency of the admin endpoints that are polled all day, with 100 guarded targets:
 *
 *   node bench/admin/admin-latency.ts [--targets N] [--requests N] [--concurrency N] [--route PATH]... [--json FILE]
 *
 * For /metrics and /api/v1/status: a warm-up, then `--requests` sequential requests (one in flight:
 * the latency a scraper or the CLI sees), then the same number spread over `--concurrency`
 * connections (a dashboard and a scraper at once). Prints p50/p99/max per route and mode; the
 * target is p99 < 10 ms on a 2-core machine. --json writes the options and rows.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { Pool } from 'undici';
import { table } from '../../src/client/table.ts';
import { BENCH_TOKEN, guardedApp } from './guarded-app.ts';

const { values } = parseArgs({
  options: {
    targets: { type: 'string' },
    requests: { type: 'string' },
    concurrency: { type: 'string' },
    route: { type: 'string', multiple: true },
    json: { type: 'string' },
  },
});
const options = {
  targets: Number(values.targets ?? 100),
  requests: Number(values.requests ?? 2000),
  concurrency: Number(values.concurrency ?? 8),
  warmup: 300,
};
if (![options.targets, options.requests, options.concurrency].every((n) => Number.isInteger(n) && n > 0)) {
  console.error('usage: admin-latency.ts [--targets N] [--requests N] [--concurrency N] [--route /metrics|/api/v1/status]... [--json FILE]');
  process.exit(2);
}

const ALL_ROUTES: { path: string; headers: Record<string, string> }[] = [
  { path: '/metrics', headers: {} },
  { path: '/api/v1/status', headers: { authorization: `Bearer ${BENCH_TOKEN}` } },
];
const ROUTES = values.route ? ALL_ROUTES.filter((r) => values.route?.includes(r.path)) : ALL_ROUTES;

interface Row {
  route: string;
  mode: 'sequential' | 'concurrent';
  requests: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  meanMs: number;
  requestsPerSecond: number;
  bytes: number;
}

/** Nearest-rank percentile of sorted samples. */
const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;

async function timed(pool: Pool, path: string, headers: Record<string, string>): Promise<{ ms: number; bytes: number }> {
  const start = performance.now();
  const res = await pool.request({ method: 'GET', path, headers });
  const body = await res.body.text();
  const ms = performance.now() - start;
  if (res.statusCode !== 200) throw new Error(`${path} answered ${res.statusCode}: ${body.slice(0, 200)}`);
  return { ms, bytes: body.length };
}

async function measure(pool: Pool, route: (typeof ROUTES)[number], mode: Row['mode']): Promise<Row> {
  const samples: number[] = [];
  let bytes = 0;
  const lanes = mode === 'sequential' ? 1 : options.concurrency;
  const perLane = Math.ceil(options.requests / lanes);
  const started = performance.now();
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      for (let i = 0; i < perLane; i++) {
        const r = await timed(pool, route.path, route.headers);
        samples.push(r.ms);
        bytes = r.bytes;
      }
    }),
  );
  const elapsed = performance.now() - started;
  samples.sort((a, b) => a - b);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    route: route.path,
    mode,
    requests: samples.length,
    p50Ms: round(percentile(samples, 50)),
    p99Ms: round(percentile(samples, 99)),
    maxMs: round(samples.at(-1) ?? NaN),
    meanMs: round(samples.reduce((a, b) => a + b, 0) / samples.length),
    requestsPerSecond: Math.round((samples.length / elapsed) * 1000),
    bytes,
  };
}

const bench = await guardedApp(options.targets);
const url = await bench.app.listen({ host: '127.0.0.1', port: 0 });
const pool = new Pool(url, { connections: options.concurrency });
const rows: Row[] = [];
const began = performance.now();
try {
  for (const route of ROUTES) {
    for (let i = 0; i < options.warmup; i++) await timed(pool, route.path, route.headers); // JIT, caches, connections
    rows.push(await measure(pool, route, 'sequential'));
    rows.push(await measure(pool, route, 'concurrent'));
  }
} finally {
  await pool.close();
  await bench.close();
}

console.log(`admin latency: ${options.targets} guarded targets, ${options.requests} requests per row, concurrency ${options.concurrency}, ${availableParallelism()} CPUs, node ${process.version}\n`);
console.log(
  table(
    ['route', 'mode', 'requests', 'p50 ms', 'p99 ms', 'max ms', 'req/s', 'bytes'],
    rows.map((r) => [r.route, r.mode, String(r.requests), r.p50Ms.toFixed(2), r.p99Ms.toFixed(2), r.maxMs.toFixed(2), String(r.requestsPerSecond), String(r.bytes)]),
  ),
);
const slow = rows.filter((r) => r.mode === 'sequential' && r.p99Ms >= 10);
console.log(slow.length ? `\nsequential p99 at or above 10 ms: ${slow.map((r) => r.route).join(', ')}` : '\nsequential p99 under 10 ms on every route');
if (values.json) {
  writeFileSync(values.json, `${JSON.stringify({ options, cpus: availableParallelism(), node: process.version, runtimeMs: Math.round(performance.now() - began), rows }, null, 2)}\n`);
}
