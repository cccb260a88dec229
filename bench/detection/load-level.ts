/**
 * θ from the baseline's rate at the app's current load (the guard's default, rate-at-load.ts)
 * against θ from the day's rate (`thresholdFollowsLoad: false`), on the same deploys. Bad releases
 * under the combined noise (its error rate swings with the load) show the gain, and under a rate
 * that stays flat while the load swings, the cost in power. Healthy releases under noise where the
 * error rate does not simply follow the load show the cost in safety: it lags the load by 3 or 6
 * hours, opposes it, or stays flat; and the ±60 % swing that the day's rate handles worst.
 * An oracle that scales the day's θ by the true daily swing at the deploy is the reference.
 *
 *   node bench/detection/load-level.ts [--bad 1000] [--healthy 5000]
 */
import { parseArgs } from 'node:util';
import { summariseBaseline } from '../../src/analysis/baseline-summary.ts';
import type { Cell, ReleaseClass } from './cells.ts';
import { oursDetector, type DetectorDefinition } from './detectors.ts';
import { DEFAULT_SUITE_OPTIONS, suiteSpec } from './suite.ts';
import { noiseCell, printShares, shareRolledBack, thetaVariant, withThreshold } from './theta-variants.ts';

const { values } = parseArgs({ options: { bad: { type: 'string', default: '1000' }, healthy: { type: 'string', default: '5000' } } });
const bad = Number(values.bad);
const healthy = Number(values.healthy);
if (!(bad > 0 && healthy > 0)) {
  console.error('usage: load-level.ts [--bad N] [--healthy N]');
  process.exit(2);
}
const { seed, timing } = DEFAULT_SUITE_OPTIONS;
const spec = suiteSpec(timing);
const daySpec = { ...spec, thresholdFollowsLoad: false };

const detectors: DetectorDefinition[] = [
  thetaVariant(spec, "the day's rate (thresholdFollowsLoad: false)", (ctx) => summariseBaseline(ctx.history, daySpec)),
  { ...oursDetector(spec), name: 'the rate at the current load (as the guard runs)' },
  thetaVariant(spec, "the day's × the true swing (oracle)", (ctx) => {
    const day = summariseBaseline(ctx.history, daySpec);
    return withThreshold(spec, day, day.upperBound * ctx.levelAtDeploy);
  }),
];
const comparison = { seed, spec, timing, detectors };
const rolledBack = (c: Cell, releaseClass: ReleaseClass, n: number) => shareRolledBack(comparison, c, releaseClass, n);

const columns: [string, number[]][] = [
  [`×5 caught: combined @20 (${bad})`, rolledBack(noiseCell('combined', 20), 'errors-x5', bad)],
  [`×5 caught: flat rate @20 (${bad})`, rolledBack(noiseCell('combined, flat rate', 20), 'errors-x5', bad)],
  [`healthy rolled back (${healthy} each): combined @20`, rolledBack(noiseCell('combined', 20), 'healthy', healthy)],
  ['±60% swing @20', rolledBack(noiseCell('combined, ±60% swing', 20), 'healthy', healthy)],
  ['±60% swing @200', rolledBack(noiseCell('combined, ±60% swing', 200), 'healthy', healthy)],
  ['flat rate @20', rolledBack(noiseCell('combined, flat rate', 20), 'healthy', healthy)],
  ['rate lags 3 h @20', rolledBack(noiseCell('combined, rate lags 3 h', 20), 'healthy', healthy)],
  ['rate lags 6 h @20', rolledBack(noiseCell('combined, rate lags 6 h', 20), 'healthy', healthy)],
  ['rate opposes load @20', rolledBack(noiseCell('combined, rate opposes load', 20), 'healthy', healthy)],
];
printShares(`θ from the rate at the current load: seed ${seed}; the combined noise and variants where the error rate does not simply follow the load`, 'θ from', detectors, columns);
