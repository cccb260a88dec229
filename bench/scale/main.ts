/**
 * `npm run bench:scale`: the real daemon guarding 10, 100 and 1,000 simulated targets at a 5 s
 * probe interval, and what it costs.
 *
 *   node bench/scale/main.ts [--sizes 10,100,1000] [--window 60s] [--settle 15s] [--interval 5s]
 *                            [--poll "0 * * * * *"] [--max-concurrent N] [--no-error-rate] [--no-machines-api]
 *                            [--daemon-env KEY=VALUE]... [--node-arg FLAG]... [--cpu-prof DIR] [--json FILE]
 *
 * Each target has a health and a readiness HTTP probe and an error rate scraped from its app's
 * /metrics, all on the simulator's fake apps on 127.0.0.1, and is guarding a new release for the
 * whole run. Releases are polled once a minute by default (`fly releases`, one fake flyctl process
 * per target per poll): realistic for a fleet this size whose CI also announces deploys, and a
 * 60 s window then holds exactly one poll. Per size: the daemon's CPU (utime + stime from
 * /proc/<pid>/stat) and peak RSS (VmRSS) over the window; its schedule lag from its own
 * /metrics histogram (p50/p99/max are bucket upper bounds, the mean is exact); the probes it
 * actually ran; the CPU of the flyctl processes it started; the simulator's CPU and the whole
 * machine's, since on a small machine they share the cores. The daemon runs with production's
 * runtime settings (runtime.ts: as the Dockerfile sets them); --daemon-env overrides or adds
 * variables to try others (e.g. NODE_OPTIONS= MALLOC_ARENA_MAX= for Node's defaults); --node-arg
 * passes a flag on node's command line, for V8 flags that NODE_OPTIONS refuses.
 */
import { writeFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { table } from '../../src/client/table.ts';
import { parseDuration } from '../../src/infra/duration.ts';
import { Cleanup } from '../support/cleanup.ts';
import { HEADERS, markdownTable, rowCells, verdicts } from './report.ts';
import { runSize, type SizeResult } from './run-size.ts';
import { PRODUCTION_RUNTIME_ENV } from './runtime.ts';

const { values } = parseArgs({
  options: {
    sizes: { type: 'string', default: '10,100,1000' },
    window: { type: 'string', default: '60s' },
    settle: { type: 'string', default: '15s' },
    interval: { type: 'string', default: '5s' },
    poll: { type: 'string', default: '0 * * * * *' },
    'max-concurrent': { type: 'string' },
    'no-error-rate': { type: 'boolean', default: false },
    'no-machines-api': { type: 'boolean', default: false },
    'traffic-tick': { type: 'string', default: '1s' },
    'cpu-prof': { type: 'string' },
    'daemon-env': { type: 'string', multiple: true },
    'node-arg': { type: 'string', multiple: true },
    json: { type: 'string' },
  },
});
const usage = () => {
  console.error('usage: bench/scale/main.ts [--sizes 10,100,1000] [--window 60s] [--settle 15s] [--interval 5s] [--poll CRON] [--max-concurrent N] [--no-error-rate] [--no-machines-api] [--traffic-tick 1s] [--daemon-env K=V]... [--node-arg FLAG]... [--cpu-prof DIR] [--json FILE]');
  process.exit(2);
};
const sizes = values.sizes.split(',').map(Number);
const windowMs = parseDuration(values.window);
const settleMs = parseDuration(values.settle);
const intervalMs = parseDuration(values.interval);
const trafficTickMs = parseDuration(values['traffic-tick']);
const maxConcurrent = values['max-concurrent'] === undefined ? undefined : Number(values['max-concurrent']);
if (!sizes.every((n) => Number.isInteger(n) && n > 0) || !windowMs || settleMs === undefined || !intervalMs || !trafficTickMs) usage();
if (maxConcurrent !== undefined && !(Number.isInteger(maxConcurrent) && maxConcurrent > 0)) usage();
const daemonEnv: Record<string, string> = {};
for (const pair of values['daemon-env'] ?? []) {
  const eq = pair.indexOf('=');
  if (eq < 1) usage();
  daemonEnv[pair.slice(0, eq)] = pair.slice(eq + 1);
}
if (process.platform !== 'linux') {
  console.error('bench:scale reads /proc: Linux only');
  process.exit(2);
}

const log = (line: string) => console.error(line);
const cleanup = new Cleanup();
cleanup.onSignals();
const began = performance.now();
const rows: SizeResult[] = [];
for (const [i, targets] of sizes.entries()) {
  log(`[${targets} targets] load average ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  rows.push(
    await runSize({
      targets,
      probeInterval: values.interval,
      probeIntervalMs: intervalMs!,
      pollSchedule: values.poll,
      errorRate: !values['no-error-rate'],
      machinesApi: !values['no-machines-api'],
      windowMs: windowMs!,
      settleMs: settleMs!,
      trafficTickMs: trafficTickMs!,
      daemonEnv,
      daemonNodeArgs: [
        ...(values['node-arg'] ?? []),
        ...(values['cpu-prof'] ? ['--cpu-prof', '--cpu-prof-dir', values['cpu-prof'], '--cpu-prof-name', `daemon-${targets}-${i}.cpuprofile`] : []),
      ],
      ...(maxConcurrent !== undefined && { maxConcurrent }),
      cleanup,
      log,
    }),
  );
}
const runtimeS = (performance.now() - began) / 1000;

console.log(
  `\nscale: probe interval ${values.interval}, poll "${values.poll}" ${values['no-machines-api'] ? '(fly releases every time)' : '(fly releases only when the Machines API shows a change)'}, ${values['no-error-rate'] ? 'health + ready probes' : 'health + ready probes + error rate scraped from /metrics'}, ` +
    `window ${values.window} after ${values.settle} settle, ${availableParallelism()} CPUs, node ${process.version}, ${runtimeS.toFixed(0)} s` +
    `, daemon env ${Object.entries({ ...PRODUCTION_RUNTIME_ENV, ...daemonEnv }).map(([k, v]) => `${k}=${v}`).join(' ')}` +
    `${values['node-arg']?.length ? `, node args ${values['node-arg'].join(' ')}` : ''}\n`,
);
console.log(table([...HEADERS], rows.map(rowCells)));
console.log('\nlag p50/p99/max are upper bounds of the histogram bucket holding them (buckets 1, 5, 10, 25, 50, 100, 250, 500 ms, 1, 2.5, 5 s); the mean is exact.');
for (const r of rows) {
  const errors = Object.entries(r.errorLines);
  if (r.unsuccessful > 0 || errors.length > 0) {
    console.log(`${r.targets} targets: ${r.unsuccessful} unsuccessful measurements in the window; error logs: ${errors.map(([m, n]) => `${m} ×${n}`).join(', ') || 'none'}`);
  }
}
console.log('\nissue 7 targets:');
for (const v of verdicts(rows)) console.log(`  ${v.met ? 'met    ' : 'MISSED '} ${v.target}: ${v.detail}`);
console.log(`\n${markdownTable(rows)}`);
if (values.json) writeFileSync(values.json, `${JSON.stringify({ options: values, cpus: availableParallelism(), node: process.version, runtimeS, rows }, null, 2)}\n`);
