/**
 * CLI for the statistical detection suite, in virtual time:
 *
 *   node bench/detection/statistical.ts [--seed N] [--scale F] [--baseline-minutes M] [--json FILE]
 *
 * --scale multiplies the number of deploys per class (0.1 for a quick look); --baseline-minutes sets
 * how much of the previous release's traffic forms the baseline (default 30). Prints a markdown table;
 * --json also writes the options, the per-class rows and the runtime (not the per-deploy outcomes).
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { markdownTable } from './report.ts';
import { DEFAULT_SUITE_OPTIONS, runStatisticalSuite } from './suite.ts';

const { values } = parseArgs({
  options: {
    seed: { type: 'string' },
    scale: { type: 'string' },
    'baseline-minutes': { type: 'string' },
    json: { type: 'string' },
  },
});

const seed = values.seed === undefined ? DEFAULT_SUITE_OPTIONS.seed : Number(values.seed);
const scale = values.scale === undefined ? 1 : Number(values.scale);
const defaultBaselineMinutes = DEFAULT_SUITE_OPTIONS.timing.baselineWindowMs / 60_000;
const baselineMinutes = values['baseline-minutes'] === undefined ? defaultBaselineMinutes : Number(values['baseline-minutes']);
if (!Number.isInteger(seed) || !(scale > 0) || !(baselineMinutes > 0)) {
  console.error('usage: statistical.ts [--seed INTEGER] [--scale POSITIVE] [--baseline-minutes POSITIVE] [--json FILE]');
  process.exit(2);
}
const { healthyPerLevel, badPerClassPerLevel } = DEFAULT_SUITE_OPTIONS.size;
const options = {
  ...DEFAULT_SUITE_OPTIONS,
  seed,
  timing: { ...DEFAULT_SUITE_OPTIONS.timing, baselineWindowMs: baselineMinutes * 60_000 },
  size: {
    healthyPerLevel: Math.max(1, Math.round(healthyPerLevel * scale)),
    badPerClassPerLevel: Math.max(1, Math.round(badPerClassPerLevel * scale)),
  },
};

// Wall-clock time of the run itself; the simulated deploys use virtual time only.
const started = performance.now();
const result = runStatisticalSuite(options);
const runtimeMs = Math.round(performance.now() - started);

const { spec, timing, noise } = options;
console.log(`# Error-rate detection, ${result.outcomes.length} simulated deploys (seed ${seed})\n`);
console.log(
  `spec: alpha ${spec.alpha}, tolerance ×${spec.tolerance}, floor ${spec.absoluteFloor}, ceiling ${spec.ceiling}, ` +
    `minRequests ${spec.minRequests}; evaluation every ${timing.evaluationEveryMs / 1000} s, guard window ` +
    `${timing.guardWindowMs / 60_000} min, baseline ${timing.baselineWindowMs / 60_000} min; noise: load log-sd ` +
    `${noise.trafficLogSd} (AR φ ${noise.trafficAutocorrelation}), error-rate Gamma shape ${noise.errorJitterShape}, ` +
    `counter reset in ${noise.counterResetProbability * 100}% of deploys\n`,
);
console.log(markdownTable(result.rows));
console.log(`\nruntime ${(runtimeMs / 1000).toFixed(1)} s`);

if (values.json !== undefined) {
  writeFileSync(values.json, `${JSON.stringify({ options, runtimeMs, rows: result.rows }, null, 2)}\n`);
}
