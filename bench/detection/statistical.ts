/**
 * CLI for the statistical detection suite, in virtual time:
 *
 *   node bench/detection/statistical.ts [--seed N] [--scale F] [--workers N] [--cells a,b] [--json FILE]
 *
 * --scale multiplies the number of deploys per class (0.1 for a quick look); --cells keeps only the
 * cells with one of the given ids, groups or noise models (e.g. `combined@20,late-onset,drift`); --workers sets the worker
 * threads (default 2; 0 runs in this thread). Progress goes to stderr, the tables to stdout; --json
 * also writes the rows.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { buildTasks } from './cells.ts';
import { describeNoise, noiseModel } from './noise.ts';
import { runTasksInWorkers } from './parallel.ts';
import { buildRows, detectionTable, falseRollbackTable } from './report.ts';
import { DEFAULT_SUITE_OPTIONS, DETECTOR_NAMES, mergeTallies, runTask, selectCells, suiteSpec, type SuiteOptions } from './suite.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    scale: { type: 'string' },
    workers: { type: 'string' },
    cells: { type: 'string' },
    json: { type: 'string' },
  },
});

const seed = values.seed === undefined ? DEFAULT_SUITE_OPTIONS.seed : Number(values.seed);
const scale = values.scale === undefined ? 1 : Number(values.scale);
const workers = values.workers === undefined ? 2 : Number(values.workers);
if (!Number.isInteger(seed) || !(scale > 0) || !(Number.isInteger(workers) && workers >= 0)) {
  console.error('usage: statistical.ts [--seed INTEGER] [--scale POSITIVE] [--workers N] [--cells a,b] [--json FILE]');
  process.exit(2);
}
const base = DEFAULT_SUITE_OPTIONS.size;
const scaled = (n: number) => Math.max(1, Math.round(n * scale));
const options: SuiteOptions = {
  ...DEFAULT_SUITE_OPTIONS,
  seed,
  size: { healthy: scaled(base.healthy), bad: scaled(base.bad), hardDown: scaled(base.hardDown) },
  cellFilter: values.cells === undefined ? [] : values.cells.split(',').filter((s) => s !== ''),
};

const started = performance.now();
const cells = selectCells(options);
const tasks = buildTasks(cells, 250);
const tallies =
  workers === 0 ? tasks.map((t) => runTask(seed, t, options.timing)) : await runTasksInWorkers(seed, tasks, options.timing, workers);
const rows = buildRows(cells, mergeTallies(tallies), DETECTOR_NAMES);
const runtimeSeconds = (performance.now() - started) / 1000;

const spec = suiteSpec(options.timing);
const { timing } = options;
const deploys = rows.reduce((sum, r) => sum + r.deploys, 0);
console.log(`# Error-rate detection on realistic noise: ${deploys} simulated deploys (seed ${seed})\n`);
console.log(
  `ours: alpha ${spec.alpha} in total (baseline bound ${spec.baselineAlpha}, change share ${spec.changeShare}), tolerance ×${spec.tolerance}, ` +
    `floor ${spec.absoluteFloor}, ceiling ${spec.ceiling} for ${spec.ceilingPersistenceMs / 1000} s, min decision ${spec.minDecisionMs / 1000} s ` +
    `(bursty baseline ${spec.burstyMinDecisionMs / 1000} s); a look every ${timing.lookEverySeconds} s for ${timing.windowSeconds / 60} min; ` +
    `remembered baseline ${timing.historyHours} h. pre-issue: judgeErrorRate with its defaults on a 30-minute baseline.\n`,
);
console.log('Noise models:\n');
for (const m of [...new Set(cells.map((c) => c.noise))].map(noiseModel)) console.log(`- ${m.name}: ${describeNoise(m)}`);
console.log('\n## False rollbacks of healthy deploys\n');
console.log(falseRollbackTable(rows));
console.log('\n## Detection of bad deploys (share caught within the window; seconds from the onset)\n');
console.log(detectionTable(rows));
console.log(`\nruntime ${runtimeSeconds.toFixed(0)} s with ${workers} worker(s)`);
if (values.json !== undefined) writeFileSync(values.json, `${JSON.stringify({ options, runtimeSeconds, rows }, null, 2)}\n`);
