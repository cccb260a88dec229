/**
 * One row of the scale benchmark: a fresh simulator with `targets` apps, each deployed a new
 * release; the daemon started on them (its first poll guards every new release); a settle period
 * once every target is `guarding`; then the measured window, read from /proc and the daemon's own
 * /metrics before and after.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import type { Cleanup } from '../support/cleanup.ts';
import { scaleConfig } from './config.ts';
import { BenchDaemon } from './daemon.ts';
import { PRODUCTION_RUNTIME_ENV } from './runtime.ts';
import { LAG_METRIC, MEASUREMENTS_METRIC, bucketMax, bucketQuantile, counterSum, histogram, histogramDelta, parseScrape, type Scrape } from './daemon-metrics.ts';
import { findSpawnHelper, readHostCpu, readProc, type ProcSample } from './proc-stats.ts';

export interface SizeOptions {
  targets: number;
  /** `5s`. */
  probeInterval: string;
  probeIntervalMs: number;
  pollSchedule: string;
  maxConcurrent?: number;
  errorRate: boolean;
  machinesApi: boolean;
  windowMs: number;
  settleMs: number;
  /** Extra node flags for the daemon, e.g. --cpu-prof. */
  daemonNodeArgs: readonly string[];
  /** Environment for the daemon on top of (or replacing) PRODUCTION_RUNTIME_ENV. */
  daemonEnv?: Record<string, string>;
  /** Where the daemon and simulator register, so Ctrl-C stops them too. */
  cleanup?: Cleanup;
  /** Simulated traffic tick in the fake apps (ms). */
  trafficTickMs: number;
  log: (line: string) => void;
}

export interface SizeResult {
  targets: number;
  windowS: number;
  /** The daemon's own CPU over the window, its spawn helper's included, % of one core. */
  cpuPct: number;
  /** Of which the spawn helper's. */
  helperCpuPct: number;
  /** CPU of the flyctl processes started for it (reaped in the window), % of one core. */
  flyCpuPct: number;
  /** Peak VmRSS of the daemon during the window. */
  rssMb: number;
  /** Peak private memory (RssAnon) of its spawn helper; its file pages are the daemon's Node binary, shared. */
  helperMb: number;
  rssMeanMb: number;
  /** Peak RssAnon: RSS without the file-backed pages (the Node binary alone is ~60 MB of those). */
  anonMb: number;
  /** V8's committed heap at the end of the window (nodejs_heap_size_total_bytes): what of anonMb is the JS heap. */
  heapMb: number;
  cpuPerTargetPct: number;
  rssPerTargetKb: number;
  /** Upper bounds of the lag histogram buckets holding p50/p99/max, in ms. */
  lagP50Ms: number;
  lagP99Ms: number;
  lagMaxMs: number;
  lagMeanMs: number;
  lagObservations: number;
  probesPerSec: number;
  expectedProbesPerSec: number;
  /** Measurements in the window that were not `successful` (a healthy fleet should have none). */
  unsuccessful: number;
  flyCalls: number;
  /** Simulator (benchmark process) CPU, % of one core. */
  simCpuPct: number;
  /** Whole machine, % of all cores busy (other load inflates lag; this shows it). */
  hostBusyPct: number;
  startupS: number;
  errorLines: Record<string, number>;
}

const HEAP_METRIC = 'nodejs_heap_size_total_bytes';

const appName = (i: number) => `scale-${String(i).padStart(4, '0')}`;

export async function runSize(o: SizeOptions): Promise<SizeResult> {
  const dir = mkdtempSync(join(tmpdir(), 'wd-scale-'));
  let sim: Simulator | undefined;
  let daemon: BenchDaemon | undefined;
  // Closed here in `finally`, or by the cleanup on a signal: whichever comes first.
  const closeSim = once(() => sim?.close() ?? Promise.resolve());
  const stopDaemon = once(async () => {
    const code = await daemon?.stop();
    if (daemon && code !== 0 && code !== null) o.log(`  daemon exited ${code}:\n${daemon.tail()}`);
  });
  o.cleanup?.add(`simulator (${o.targets})`, undefined, closeSim);
  o.cleanup?.add(`daemon (${o.targets})`, undefined, stopDaemon);
  try {
    sim = await startSimulator({ deployMs: 100, requestRate: 20, seed: 7, trafficTickMs: o.trafficTickMs });
    const apps: { name: string; url: string }[] = [];
    for (let i = 1; i <= o.targets; i++) apps.push({ name: appName(i), url: (await sim.addApp(appName(i), { profile: 'healthy' })).url });
    // A new release everywhere, as CI would ship it: the daemon's first poll starts guarding it.
    await Promise.all(apps.map((a) => sim!.deploy(a.name, sim!.buildImage(a.name, 'healthy'))));
    const configPath = join(dir, 'watchdog.yaml');
    writeFileSync(configPath, scaleConfig({ dir, apps, flyBinary: sim.flyBinary, controlUrl: sim.controlUrl, probeInterval: o.probeInterval, pollSchedule: o.pollSchedule, errorRate: o.errorRate, machinesApi: o.machinesApi, ...(o.maxConcurrent !== undefined && { maxConcurrent: o.maxConcurrent }) }));

    const started = performance.now();
    daemon = await BenchDaemon.start(configPath, { nodeArgs: o.daemonNodeArgs, env: { ...PRODUCTION_RUNTIME_ENV, ...o.daemonEnv }, timeoutMs: 60_000 });
    // The first poll (one flyctl per target, 8 at a time) is what takes long at 1,000 targets.
    await waitAllGuarding(daemon, o.targets, 60_000 + o.targets * 300, o.log);
    const startupS = (performance.now() - started) / 1000;
    o.log(`  ${o.targets} targets guarding after ${startupS.toFixed(1)} s; settling ${o.settleMs / 1000} s`);
    await sleep(o.settleMs);

    const before = await scrape(daemon);
    const simCpu0 = process.cpuUsage();
    const host0 = readHostCpu();
    const wall0 = Date.now();
    const helperPid = findSpawnHelper(daemon.pid);
    const zero: ProcSample = { at: 0, cpuMs: 0, childCpuMs: 0, rssBytes: 0, anonBytes: 0 };
    const readHelper = () => (helperPid === undefined ? zero : readProc(helperPid));
    const samples: ProcSample[] = [readProc(daemon.pid)];
    const helperSamples: ProcSample[] = [readHelper()];
    o.log(`  measuring ${o.windowMs / 1000} s${helperPid === undefined ? ' (no spawn helper)' : ''}`);
    const end = performance.now() + o.windowMs;
    while (performance.now() < end) {
      await sleep(Math.min(1000, end - performance.now()));
      samples.push(readProc(daemon.pid));
      helperSamples.push(readHelper());
    }
    const host1 = readHostCpu();
    const simCpu = process.cpuUsage(simCpu0);
    const wall1 = Date.now();
    const after = await scrape(daemon);

    const first = samples[0]!;
    const last = samples.at(-1)!;
    const elapsedMs = last.at - first.at;
    const pct = (ms: number) => (ms / elapsedMs) * 100;
    const lag = histogramDelta(histogram(before.samples, LAG_METRIC), histogram(after.samples, LAG_METRIC));
    const measured = (s: Scrape, where?: (l: Record<string, string>) => boolean) => counterSum(s.samples, MEASUREMENTS_METRIC, where);
    const probes = measured(after) - measured(before);
    const notOk = (l: Record<string, string>) => l.phase !== 'successful';
    const rss = samples.map((s) => s.rssBytes);
    const helperFirst = helperSamples[0]!;
    const helperLast = helperSamples.at(-1)!;
    const helperCpuPct = pct(helperLast.cpuMs - helperFirst.cpuMs);
    const cpuPct = pct(last.cpuMs - first.cpuMs) + helperCpuPct;
    const rssMb = Math.max(...rss) / 2 ** 20;
    const anonMb = Math.max(...samples.map((s) => s.anonBytes)) / 2 ** 20;
    const flyCalls = sim.invocations().filter((i) => i.at >= wall0 && i.at <= wall1).length;
    return {
      targets: o.targets,
      windowS: elapsedMs / 1000,
      cpuPct,
      helperCpuPct,
      flyCpuPct: pct(last.childCpuMs - first.childCpuMs + helperLast.childCpuMs - helperFirst.childCpuMs),
      helperMb: Math.max(...helperSamples.map((s) => s.anonBytes)) / 2 ** 20,
      rssMb,
      rssMeanMb: rss.reduce((a, b) => a + b, 0) / rss.length / 2 ** 20,
      anonMb,
      heapMb: (after.samples.find((x) => x.name === HEAP_METRIC)?.value ?? Number.NaN) / 2 ** 20,
      cpuPerTargetPct: cpuPct / o.targets,
      rssPerTargetKb: (rssMb * 1024) / o.targets,
      lagP50Ms: bucketQuantile(lag, 0.5) * 1000,
      lagP99Ms: bucketQuantile(lag, 0.99) * 1000,
      lagMaxMs: bucketMax(lag) * 1000,
      lagMeanMs: lag.count > 0 ? (lag.sum / lag.count) * 1000 : Number.NaN,
      lagObservations: lag.count,
      probesPerSec: probes / ((after.at - before.at) / 1000),
      expectedProbesPerSec: (o.targets * 2) / (o.probeIntervalMs / 1000),
      unsuccessful: measured(after, notOk) - measured(before, notOk),
      flyCalls,
      simCpuPct: ((simCpu.user + simCpu.system) / 1000 / elapsedMs) * 100,
      hostBusyPct: ((host1.busy - host0.busy) / (host1.total - host0.total)) * 100,
      startupS,
      errorLines: Object.fromEntries(daemon.errors),
    };
  } finally {
    await stopDaemon();
    await closeSim();
    rmSync(dir, { recursive: true, force: true });
  }
}

function once(close: () => Promise<void>): () => Promise<void> {
  let closing: Promise<void> | undefined;
  return () => (closing ??= close());
}

async function scrape(daemon: BenchDaemon): Promise<Scrape> {
  const { status, text } = await daemon.get('/metrics');
  if (status !== 200) throw new Error(`/metrics answered ${status}`);
  return parseScrape(text, performance.now());
}

async function waitAllGuarding(daemon: BenchDaemon, count: number, timeoutMs: number, log: (line: string) => void): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastReport = 0;
  for (;;) {
    const { targets } = await daemon.json<{ targets: { name: string; phase: string }[] }>('/api/v1/status');
    const guarding = targets.filter((t) => t.phase === 'guarding').length;
    if (guarding === count) return;
    if (Date.now() > deadline) throw new Error(`only ${guarding}/${count} targets guarding after ${timeoutMs} ms:\n${daemon.tail()}`);
    if (Date.now() - lastReport > 10_000) {
      lastReport = Date.now();
      log(`  ${guarding}/${count} guarding…`);
    }
    if (!daemon.running) throw new Error(`daemon exited:\n${daemon.tail()}`);
    await sleep(1000);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
