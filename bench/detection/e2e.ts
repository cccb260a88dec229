/**
 * CLI for the end-to-end detection suite, in wall-clock time: the real daemon and a real
 * Prometheus + Alertmanager peer against the simulator (docs in e2e-run.ts and e2e-stack.ts).
 *
 *   node bench/detection/e2e.ts [--scenarios a,b] [--window SECONDS] [--no-error-rate]
 *                               [--time-limit SECONDS] [--json FILE]
 *
 * --no-error-rate leaves out the watchdog's errorRate block (probes and smoke tests only).
 * Prints a markdown table and whether the watchdog beat the peer on every bad scenario; --json
 * also writes the options, the rows and the runtime. Exits 1 on a failure or at the time limit,
 * always after stopping every process it started.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { Cleanup, deadline } from '../support/cleanup.ts';
import { DEFAULT_E2E_TIMING, PEER_ERROR_RATIO } from './e2e-config.ts';
import { checkTargets, e2eTable, notes } from './e2e-report.ts';
import { runE2e } from './e2e-run.ts';
import { BASELINE_ERROR_RATE, selectScenarios } from './e2e-scenarios.ts';

const { values } = parseArgs({
  options: {
    scenarios: { type: 'string' },
    window: { type: 'string' },
    'no-error-rate': { type: 'boolean', default: false },
    'time-limit': { type: 'string' },
    json: { type: 'string' },
  },
});

const windowS = values.window === undefined ? DEFAULT_E2E_TIMING.windowMs / 1000 : Number(values.window);
// Default: warm-up (~2.3 min) + stagger + window + start/stop, with a margin; under 8 minutes.
const timeLimitS = values['time-limit'] === undefined ? Math.max(480, windowS + 300) : Number(values['time-limit']);
let scenarios;
try {
  scenarios = selectScenarios(values.scenarios);
} catch (err) {
  console.error((err as Error).message);
  process.exit(2);
}
if (!(windowS >= 30) || !(timeLimitS > 0)) {
  console.error('usage: e2e.ts [--scenarios a,b] [--window SECONDS ≥ 30] [--no-error-rate] [--time-limit SECONDS] [--json FILE]');
  process.exit(2);
}
const timing = { ...DEFAULT_E2E_TIMING, windowMs: windowS * 1000 };
const errorRate = !values['no-error-rate'];

const cleanup = new Cleanup();
cleanup.onSignals();
const started = performance.now();
let exitCode = 0;
try {
  const run = runE2e({ scenarios, timing, errorRate, log: (line) => console.error(line) }, cleanup);
  const rows = await Promise.race([run, deadline(timeLimitS * 1000, `end-to-end suite hit its ${timeLimitS} s time limit`)]);
  const runtimeMs = Math.round(performance.now() - started);
  const t = timing;
  console.log(`# End-to-end detection, wall clock (${scenarios.length} scenarios × 2 detectors)\n`);
  console.log(
    `traffic ${t.requestRate} req/s per app, baseline errors ${BASELINE_ERROR_RATE * 100}% (baseline: ${t.boostRps} req/s for ` +
      `${t.boostMs / 1000} s); Prometheus scrapes every ${t.scrapeInterval}; watchdog: release poll ${t.pollSchedule}, probes ` +
      `every ${t.probeIntervalS} s, ${t.failureThreshold} failures in a row, error rate ${errorRate ? 'judged from the same Prometheus' : 'OFF (probes and smoke only)'}; ` +
      `peer: error ratio > ${PEER_ERROR_RATIO * 100}% for ${t.ruleFor}, evaluated every ${t.ruleInterval}, Alertmanager group_wait 0s, ` +
      `webhook → fly deploy of the previous image; deploys take ${t.deployMs / 1000} s; each scenario watched ${windowS} s after onset\n`,
  );
  console.log(e2eTable(rows, windowS));
  const checks = checkTargets(rows.filter((r) => !r.extra), windowS);
  console.log(`\nwatchdog faster than the peer on every bad scenario: ${checks.every((c) => c.watchdogFaster) ? 'yes' : 'NO'}`);
  for (const c of checks) console.log(c.line);
  const extra = notes(rows);
  if (extra.length > 0) console.log(`\nnotes:\n${extra.join('\n')}`);
  console.log(`\nruntime ${(runtimeMs / 1000).toFixed(1)} s`);
  if (values.json !== undefined) {
    writeFileSync(values.json, `${JSON.stringify({ options: { scenarios: scenarios.map((s) => s.name), timing, errorRate }, runtimeMs, rows }, null, 2)}\n`);
  }
} catch (err) {
  console.error(`end-to-end suite failed: ${(err as Error).stack ?? String(err)}`);
  exitCode = 1;
} finally {
  await cleanup.close();
}
// Simulator timers and keep-alive sockets are closed, but nothing must keep a finished run alive.
process.exit(exitCode);
