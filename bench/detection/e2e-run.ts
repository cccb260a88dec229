/**
 * One end-to-end run: warm the stack up (the watchdog idle on every app's first release, a
 * baseline of traffic, Prometheus's rate window filled), deploy each scenario's release to its two
 * apps, watch for the scenario window, and read off when each detector started and verified its
 * rollback. Fault onset is when the bad release finished deploying (the simulator's deploy resolves).
 */
import type { Cleanup } from '../support/cleanup.ts';
import { pollUntil } from '../../test/support/poll.ts';
import type { E2eTiming } from './e2e-config.ts';
import { appName, type DetectorName, type E2eScenario } from './e2e-scenarios.ts';
import { startE2eStack, type E2eStack } from './e2e-stack.ts';
import { watchdogOutcome, peerOutcome, type E2eRow } from './e2e-outcomes.ts';

export interface E2eRunOptions {
  scenarios: readonly E2eScenario[];
  timing: E2eTiming;
  /** Give the watchdog its errorRate block (off: probes and smoke tests only). */
  errorRate: boolean;
  /** Progress lines (stderr); the tables go to stdout. */
  log: (line: string) => void;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export async function runE2e(options: E2eRunOptions, cleanup: Cleanup): Promise<E2eRow[]> {
  const { scenarios, timing, log } = options;
  const t0 = Date.now();
  const stamp = (at = Date.now()) => `${((at - t0) / 1000).toFixed(0).padStart(4)} s`;
  const stack = await startE2eStack(scenarios, timing, options.errorRate, cleanup);
  log(`${stamp()}  stack up: simulator, Prometheus ${stack.prometheus.url}, Alertmanager, daemon ${stack.daemon.url}`);

  await settleWatchdog(stack, scenarios);
  await waitForScrapes(stack, stack.firstImage.size);
  log(`${stamp()}  watchdog idle on every first release; Prometheus scrapes ${stack.firstImage.size} apps`);

  const apps = [...stack.firstImage.keys()];
  for (const app of apps) stack.sim.setRequestRate(app, timing.boostRps);
  log(`${stamp()}  baseline traffic: ${timing.boostRps} req/s for ${timing.boostMs / 1000} s, then ${timing.requestRate} req/s for ${timing.settleMs / 1000} s`);
  await sleep(timing.boostMs);
  for (const app of apps) stack.sim.setRequestRate(app, timing.requestRate);
  await sleep(timing.settleMs);

  const onsets = new Map<string, number>();
  // Progress is printed while scenarios are still being deployed; the end is known once all are.
  let end = Number.POSITIVE_INFINITY;
  const watching = watchUntil(stack, scenarios, () => end, log, stamp);
  const deploys = scenarios.map(async (scenario, i) => {
    await sleep(i * timing.staggerMs);
    await Promise.all((['watchdog', 'peer'] as const).map(async (detector) => {
      const app = appName(scenario, detector);
      await stack.sim.deploy(app, stack.sim.buildImage(app, scenario.profile));
      onsets.set(app, Date.now());
    }));
    log(`${stamp()}  ${scenario.name}: ${scenario.profile} release live on both apps (fault onset)`);
  });
  try {
    await Promise.all(deploys);
  } finally {
    // Whether the deploys worked or not, the watch has an end now (NaN when none was live: stop).
    end = Math.max(...onsets.values()) + timing.windowMs;
  }
  await watching;

  return scenarios.flatMap((scenario) =>
    (['watchdog', 'peer'] as const satisfies readonly DetectorName[]).map((detector) => {
      const app = appName(scenario, detector);
      const onset = onsets.get(app) ?? Number.NaN;
      return detector === 'watchdog'
        ? watchdogOutcome(scenario, app, onset, stack.daemon.records)
        : peerOutcome(scenario, app, onset, stack.peer.rollbacks.get(app));
    }),
  );
}

/**
 * The daemon guards each app's first release when it first lists it. That release is the stable
 * one here, as if the watchdog had run for days: its guard is aborted (the target goes idle, where
 * traffic counts as baseline) and it is marked good (the release a rollback returns to).
 */
async function settleWatchdog(stack: E2eStack, scenarios: readonly E2eScenario[]): Promise<void> {
  for (const scenario of scenarios) {
    const target = appName(scenario, 'watchdog');
    await stack.daemon.waitForLog((r) => r.target === target && r.decision === 'guard-started', 30_000, `${target} to guard v1`);
    const body = { reason: 'benchmark: v1 is the stable release' };
    // Aborting leaves v1 without a verdict; a rollback only goes back to a release judged good.
    for (const path of [`/api/v1/targets/${target}/abort`, `/api/v1/targets/${target}/releases/1/mark-good`]) {
      const res = await stack.daemon.api(path, { method: 'POST', body });
      if (res.status !== 200) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(res.body)}`);
    }
  }
}

async function waitForScrapes(stack: E2eStack, apps: number): Promise<void> {
  await pollUntil(async () => {
    const res = await fetch(`${stack.prometheus.url}/api/v1/query?query=${encodeURIComponent('count(up == 1)')}`);
    const body = (await res.json()) as { data?: { result?: { value: [number, string] }[] } };
    return Number(body.data?.result?.[0]?.value[1] ?? 0) >= apps;
  }, { timeoutMs: 30_000, intervalMs: 500, what: `Prometheus to scrape all ${apps} apps` });
}

/** Until `end()`: prints each detection and rollback step once, stamped with when it happened. */
async function watchUntil(stack: E2eStack, scenarios: readonly E2eScenario[], end: () => number, log: (l: string) => void, stamp: (at: number) => string): Promise<void> {
  const targets = new Set(scenarios.map((s) => appName(s, 'watchdog')));
  const seen = new Set<string>();
  let read = 0;
  const note = (key: string, at: number, line: string) => {
    if (seen.has(key)) return;
    seen.add(key);
    log(`${stamp(at)}  ${line}`);
  };
  while (Date.now() < end()) {
    // Records only grow: look at the new ones.
    for (const r of stack.daemon.records.slice(read)) {
      if (typeof r.target !== 'string' || !targets.has(r.target) || typeof r.time !== 'number') continue;
      if (r.decision === 'release-failed' || r.decision === 'rollback-started' || r.decision === 'rollback-verified' || r.decision === 'rollback-held') {
        note(`${r.target} ${r.decision}`, r.time, `watchdog ${r.decision} ${r.target}: ${String(r.msg)}`);
      }
    }
    read = stack.daemon.records.length;
    for (const [app, rb] of stack.peer.rollbacks) {
      note(`${app} alert`, rb.alertAt, `peer alert fired for ${app}; rolling back`);
      if (rb.verifiedAt !== undefined) note(`${app} verified`, rb.verifiedAt, `peer verified ${app} healthy`);
      if (rb.error !== undefined) note(`${app} error`, Date.now(), `peer rollback of ${app} failed: ${rb.error}`);
    }
    await sleep(Math.min(1_000, Math.max(0, end() - Date.now())));
  }
}
