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
import type { BaselineSummary } from '../../src/domain/error-rate-evidence.ts';
import type { Cell, ReleaseClass } from './cells.ts';
import { oursDetector, type DetectorDefinition } from './detectors.ts';
import { simulateDeploy } from './simulate.ts';
import { DEFAULT_SUITE_OPTIONS, suiteSpec } from './suite.ts';

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

const withThreshold = (s: BaselineSummary, bound: number): BaselineSummary =>
  s.threshold === null ? s : { ...s, threshold: Math.max(spec.absoluteFloor, Math.min(spec.ceiling, spec.tolerance * bound)) };

const ours = oursDetector(spec);
const variant = (name: string, summary: (ctx: Parameters<DetectorDefinition['create']>[0]) => BaselineSummary): DetectorDefinition => ({
  name,
  badOnly: false,
  create: (ctx) => ours.create({ ...ctx, summary: summary(ctx) }),
});
const detectors: DetectorDefinition[] = [
  variant("the day's rate (thresholdFollowsLoad: false)", (ctx) => summariseBaseline(ctx.history, daySpec)),
  { ...ours, name: 'the rate at the current load (as the guard runs)' },
  variant("the day's × the true swing (oracle)", (ctx) => {
    const day = summariseBaseline(ctx.history, daySpec);
    return withThreshold(day, day.upperBound * ctx.levelAtDeploy);
  }),
];

function cell(noise: string, requestsPerSecond: number): Cell {
  return { id: `${noise}@${requestsPerSecond}`, group: 'standard', noise, requestsPerSecond, baselineRate: 0.01, onsetSeconds: 0, preIssueBaselineMinutes: 30, deploys: {} };
}

/** Share of `n` deploys of a class each detector rolled back. */
function rolledBack(c: Cell, releaseClass: ReleaseClass, n: number): number[] {
  const hits = detectors.map(() => 0);
  for (let i = 0; i < n; i++) {
    const { detectedAfter } = simulateDeploy(seed, c, releaseClass, i, detectors, spec, timing);
    detectors.forEach((_, d) => (hits[d] = (hits[d] as number) + (detectedAfter[d] === null ? 0 : 1)));
  }
  return hits.map((h) => h / n);
}

const columns: [string, number[]][] = [
  [`×5 caught: combined @20 (${bad})`, rolledBack(cell('combined', 20), 'errors-x5', bad)],
  [`×5 caught: flat rate @20 (${bad})`, rolledBack(cell('combined, flat rate', 20), 'errors-x5', bad)],
  [`healthy rolled back (${healthy} each): combined @20`, rolledBack(cell('combined', 20), 'healthy', healthy)],
  ['±60% swing @20', rolledBack(cell('combined, ±60% swing', 20), 'healthy', healthy)],
  ['±60% swing @200', rolledBack(cell('combined, ±60% swing', 200), 'healthy', healthy)],
  ['flat rate @20', rolledBack(cell('combined, flat rate', 20), 'healthy', healthy)],
  ['rate lags 3 h @20', rolledBack(cell('combined, rate lags 3 h', 20), 'healthy', healthy)],
  ['rate lags 6 h @20', rolledBack(cell('combined, rate lags 6 h', 20), 'healthy', healthy)],
  ['rate opposes load @20', rolledBack(cell('combined, rate opposes load', 20), 'healthy', healthy)],
];
const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`;
console.log(`# θ from the rate at the current load: seed ${seed}; the combined noise and variants where the error rate does not simply follow the load\n`);
console.log(`| θ from | ${columns.map(([name]) => name).join(' | ')} |`);
console.log(`| --- |${columns.map(() => ' ---: |').join('')}`);
detectors.forEach((d, k) => console.log(`| ${d.name} | ${columns.map(([, shares]) => pct(shares[k] as number)).join(' | ')} |`));
