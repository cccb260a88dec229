/**
 * Would θ do better from the app's recent level than from the day's mean? A reference, like
 * window-limits.ts, for an idea tried and left (docs/benchmarks.md, "Tried and left").
 *
 * The day's mean averages over the daily swing, so a release deployed at the trough is judged
 * against a θ well above what the app does then, and a regression hides under it. Here ours runs
 * as the guard runs it (the day's bound), beside two variants on the same deploys: θ from the
 * lower of the day's bound and the bound of the baseline's last W hours (each at baselineAlpha / 2,
 * judged with the whole baseline's φ), and an oracle that scales the day's θ by the true daily swing
 * at the deploy. Bad releases under the combined noise show what the variants gain; healthy ones
 * under the same noise with a ±60 % swing show what they cost. `--combine higher` takes the higher
 * of the two bounds instead: safer at the daily peak, blinder all day (a few hours' bound is wide).
 *
 *   node bench/detection/recent-level.ts [--bad 1000] [--healthy 5000] [--hours 1,2,3,6] [--combine lower|higher]
 */
import { parseArgs } from 'node:util';
import { binomialUpperBound } from '../../src/analysis/binomial-bounds.ts';
import type { BaselineHistory, BaselineSummary } from '../../src/domain/error-rate-evidence.ts';
import type { Cell, ReleaseClass } from './cells.ts';
import { oursDetector, type DetectorDefinition } from './detectors.ts';
import { quantile } from './report.ts';
import { DEFAULT_SUITE_OPTIONS, suiteSpec } from './suite.ts';
import { noiseCell, printShares, shareRolledBack, thetaVariant, withThreshold } from './theta-variants.ts';

const { values } = parseArgs({ options: { bad: { type: 'string', default: '1000' }, healthy: { type: 'string', default: '5000' }, hours: { type: 'string', default: '1,2,3,6' }, combine: { type: 'string', default: 'lower' } } });
const bad = Number(values.bad);
const healthy = Number(values.healthy);
const hours = values.hours.split(',').map(Number);
const combine = values.combine;
if (![bad, healthy, ...hours].every((n) => n > 0) || (combine !== 'lower' && combine !== 'higher')) {
  console.error('usage: recent-level.ts [--bad N] [--healthy N] [--hours 1,2,3,6] [--combine lower|higher]');
  process.exit(2);
}
const { seed, timing } = DEFAULT_SUITE_OPTIONS;
// Measured before θ followed the load: every row here starts from the day's rate.
const spec = { ...suiteSpec(timing), thresholdFollowsLoad: false };

/** The lower (or higher) of the day's bound and that of the blocks of the last `ms`, each at baselineAlpha / 2. */
function recentBound(history: BaselineHistory, s: BaselineSummary, ms: number): number {
  const delta = spec.baselineAlpha / 2;
  const day = binomialUpperBound(s.effectiveErrors, s.effectiveRequests, delta);
  const end = Math.max(...history.blocks.map((b) => b.end));
  const recent = history.blocks.filter((b) => b.start >= end - ms);
  const requests = recent.reduce((n, b) => n + b.requests, 0) / s.dispersion;
  const errors = recent.reduce((n, b) => n + b.errors, 0) / s.dispersion;
  const spanMs = recent.reduce((n, b) => n + b.end - b.start, 0);
  if (requests < spec.minBaselineRequests || spanMs < spec.minBaselineSpanMs) return day;
  const recentOne = binomialUpperBound(errors, requests, delta);
  return combine === 'lower' ? Math.min(day, recentOne) : Math.max(day, recentOne);
}

const detectors: DetectorDefinition[] = [
  { ...oursDetector(spec), name: "the day's bound (as the guard ran then)" },
  ...hours.map((h) => thetaVariant(spec, `the ${combine} of the day's and the last ${h} h's`, (ctx) => withThreshold(spec, ctx.summary, recentBound(ctx.history, ctx.summary, h * 3_600_000)))),
  thetaVariant(spec, "the day's × the true swing (oracle)", (ctx) => withThreshold(spec, ctx.summary, ctx.summary.upperBound * ctx.levelAtDeploy)),
];

/** The daily swing at each deploy, by whether the guard's θ caught it (bad releases only). */
const swings: { caught: number[]; missed: number[] } = { caught: [], missed: [] };
let swingNow = 1;
const swingProbe: DetectorDefinition = { name: 'swing', badOnly: true, create: (ctx) => ((swingNow = ctx.levelAtDeploy), () => false) };

const comparison = { seed, spec, timing, detectors, watchers: [swingProbe] };
function rolledBack(c: Cell, releaseClass: ReleaseClass, n: number): number[] {
  return shareRolledBack(comparison, c, releaseClass, n, (detectedAfter) => {
    if (releaseClass !== 'healthy') (detectedAfter[0] === null ? swings.missed : swings.caught).push(swingNow);
  });
}

const columns: [string, number[]][] = [
  [`×5 caught, combined @20 (${bad})`, rolledBack(noiseCell('combined', 20), 'errors-x5', bad)],
  [`healthy rolled back, combined @20 (${healthy})`, rolledBack(noiseCell('combined', 20), 'healthy', healthy)],
  [`healthy, ±60% swing @20 (${healthy})`, rolledBack(noiseCell('combined, ±60% swing', 20), 'healthy', healthy)],
  [`healthy, ±60% swing @200 (${healthy})`, rolledBack(noiseCell('combined, ±60% swing', 200), 'healthy', healthy)],
];
printShares(`θ from the recent level: seed ${seed}; the combined noise, and the same with a ±60% daily swing`, 'θ from', detectors, columns);
const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5)?.toFixed(2) ?? '—';
console.log(`\nmedian daily swing at the deploy of the ×5 releases the guard's θ caught: ${median(swings.caught)}; missed: ${median(swings.missed)}`);
