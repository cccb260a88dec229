/**
 * What the baseline's view of the current level costs: bad releases of one cell judged by ours,
 * by ours with θ from the day's bound alone (the design before the recent window), and by ours
 * with the day's θ scaled by the true daily swing at the deploy (an oracle no detector has). Also
 * the median swing at the deploy of the releases the day's θ caught and missed.
 *
 *   node bench/detection/level-diagnosis.ts [--cell combined@20] [--class errors-x5] [--deploys 1000]
 */
import { parseArgs } from 'node:util';
import { binomialUpperBound } from '../../src/analysis/binomial-bounds.ts';
import type { BaselineSummary } from '../../src/domain/error-rate-evidence.ts';
import { buildCells, type ReleaseClass } from './cells.ts';
import { oursDetector, type DetectorDefinition } from './detectors.ts';
import { quantile } from './report.ts';
import { simulateDeploy } from './simulate.ts';
import { DEFAULT_SUITE_OPTIONS, suiteSpec } from './suite.ts';

const { values } = parseArgs({
  options: { cell: { type: 'string', default: 'combined@20' }, class: { type: 'string', default: 'errors-x5' }, deploys: { type: 'string', default: '1000' } },
});
const { seed, timing, size } = DEFAULT_SUITE_OPTIONS;
const spec = suiteSpec(timing);
const cell = buildCells(size).find((c) => c.id === values.cell);
const releaseClass = values.class as ReleaseClass;
const deploys = Number(values.deploys);
if (cell === undefined || !(releaseClass in cell.deploys) || !(Number.isInteger(deploys) && deploys > 0)) {
  console.error('usage: level-diagnosis.ts [--cell ID] [--class errors-x5|errors-x10|hard-down] [--deploys N]');
  process.exit(2);
}

/** θ from the day's bound alone, times `level`. */
function dayThreshold(s: BaselineSummary, level: number): BaselineSummary {
  if (s.threshold === null) return s;
  const day = binomialUpperBound(s.effectiveErrors, s.effectiveRequests, spec.baselineAlpha / 2);
  return { ...s, threshold: Math.max(spec.absoluteFloor, Math.min(spec.ceiling, spec.tolerance * day * level)) };
}

const ours = oursDetector(spec);
const withSummary = (name: string, change: (s: BaselineSummary, level: number) => BaselineSummary): DetectorDefinition => ({
  name,
  badOnly: true,
  create: (ctx) => ours.create({ ...ctx, summary: change(ctx.summary, ctx.levelAtDeploy) }),
});
const detectors = [
  withSummary("ours: the lower of the day's and the recent window's bounds", (s) => s),
  withSummary("the day's bound alone", (s) => dayThreshold(s, 1)),
  withSummary("the day's bound × the true swing (oracle)", dayThreshold),
];
let levelAt = 1;
const levelProbe: DetectorDefinition = { name: 'level', badOnly: true, create: (ctx) => ((levelAt = ctx.levelAtDeploy), () => false) };

const caught = detectors.map(() => 0);
const levels: { caught: number[]; missed: number[] } = { caught: [], missed: [] };
for (let i = 0; i < deploys; i++) {
  const r = simulateDeploy(seed, cell, releaseClass, i, [...detectors, levelProbe], spec, timing);
  r.detectedAfter.slice(0, detectors.length).forEach((t, d) => (caught[d] = (caught[d] as number) + (t === null ? 0 : 1)));
  (r.detectedAfter[1] === null ? levels.missed : levels.caught).push(levelAt);
}
const median = (xs: number[]) => quantile([...xs].sort((a, b) => a - b), 0.5)?.toFixed(2) ?? '—';
console.log(`# ${cell.id}, ${releaseClass}: ${deploys} bad deploys (seed ${seed})\n`);
console.log('| θ from | caught |');
console.log('| --- | ---: |');
detectors.forEach((d, k) => console.log(`| ${d.name} | ${((100 * (caught[k] as number)) / deploys).toFixed(1)}% |`));
console.log(`\nmedian daily swing at the deploy: ${median(levels.caught)} where the day's bound caught the release, ${median(levels.missed)} where it missed`);
