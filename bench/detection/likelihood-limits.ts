/**
 * A bound, not a detector: the most any rule reading the same looks could catch T seconds after
 * the deploy without rolling back more than `falseRate` of healthy releases by T. By the
 * Neyman–Pearson lemma no test of those looks at that false-rollback rate has more power against
 * a ×m release than the likelihood ratio of "×m since the deploy" to "healthy"; weather-filter.ts
 * computes that ratio for the noise model itself, told the app's rate and the daily level. It
 * reads the previous release's last `--before` looks too, as a guard could. A sequential guard that
 * rolls back at most `falseRate` of healthy releases over its window rolls back at most that share
 * by T, so the share caught at T bounds any such guard's; a median of T needs half the bad deploys
 * caught by then. Measured (the filter on grids, the level from simulated deploys), the share is
 * an estimate of the bound that errs low, if anything: an approximate ratio is a valid test too.
 *
 * Second, for scale: the sequential guard that knowledge of the model would give (see
 * sequentialDetection), with its false rollbacks checked on healthy deploys.
 *
 * Models with at most one kind of burst (all but combined+outages).
 *
 *   node bench/detection/likelihood-limits.ts [--noise combined] [--rps 20] [--rate 0.01] [--multiplier 10]
 *        [--healthy 50000] [--bad 2000] [--seed N] [--false-rate 0.001] [--before 24] [--grid 31] [--offsets 5]
 *        [--sequential-seconds 120] [--sequential-healthy 2000]
 */
import { parseArgs } from 'node:util';
import { TICK_SECONDS } from './error-process.ts';
import { oracleOptions, oracleSetup, weatheredDeploy } from './oracle-setup.ts';
import { medianCountingMisses, quantile } from './report.ts';
import { describeNoise } from './noise.ts';
import { firstRollbackLook, SEQUENTIAL_MULTIPLIERS, weatherFilter, type FilterGrid } from './weather-filter.ts';

const { values } = parseArgs({
  options: {
    ...oracleOptions(50_000),
    before: { type: 'string', default: '24' },
    grid: { type: 'string', default: '31' },
    offsets: { type: 'string', default: '5' },
    'sequential-seconds': { type: 'string', default: '120' },
    'sequential-healthy': { type: 'string', default: '2000' },
  } as const,
});
const setup = oracleSetup(values);
const { rate, multiplier, falseRate, noise } = setup;
const LOOKS_BEFORE = Number(values.before);
const HORIZONS_SECONDS = [10, 15, 20, 25, 30, 45, 60];
const LOOKS_AFTER = Math.max(...HORIZONS_SECONDS) / TICK_SECONDS;
const grid: FilterGrid = { wanderLevels: Number(values.grid), burstOffsets: Number(values.offsets) };

function ratios(index: number, ownRate: number, looks: number, multipliers: readonly number[]): number[][] {
  const d = weatheredDeploy(setup, index, ownRate, looks, LOOKS_BEFORE);
  const filter = weatherFilter(noise, rate, d.levelAtDeploy, grid);
  return filter.logLikelihoodRatios(filter.atDeploy(d.before), d.looks, multipliers);
}

// The bound at each T: the likelihood ratio of exactly ×multiplier, its level set on healthy deploys.
const ratiosOf = (index: number, ownRate: number): number[] => ratios(index, ownRate, LOOKS_AFTER, [multiplier]).map((r) => r[0] as number);
const healthy = Array.from({ length: setup.healthy }, (_, i) => ratiosOf(i, rate));
const bad = Array.from({ length: setup.bad }, (_, i) => ratiosOf(1_000_000 + i, Math.min(1, rate * multiplier)));

// What a sequential guard that knew the noise model could do (weather-filter.ts: firstRollbackLook),
// with no level to calibrate.
const SEQUENTIAL_LOOKS = Number(values['sequential-seconds']) / TICK_SECONDS;
function sequentialDetection(index: number, ownRate: number): number | null {
  const look = firstRollbackLook(ratios(index, ownRate, SEQUENTIAL_LOOKS, SEQUENTIAL_MULTIPLIERS), falseRate);
  return look === null ? null : look * TICK_SECONDS;
}
const sequentialBad = Array.from({ length: setup.bad }, (_, i) => sequentialDetection(2_000_000 + i, Math.min(1, rate * multiplier)));
const sequentialHealthy = Array.from({ length: Number(values['sequential-healthy']) }, (_, i) => sequentialDetection(3_000_000 + i, rate));

console.log(
  `# ${noise.name} (${describeNoise(noise)}) at ${setup.rps} rps, ${rate * 100}% baseline, ×${multiplier}: likelihood-ratio levels for ${falseRate * 100}% false rollbacks at T over ${healthy.length} healthy deploys, ${bad.length} bad; ${LOOKS_BEFORE} looks before the deploy, wander grid ${grid.wanderLevels}, burst offsets ${grid.burstOffsets}\n`,
);
console.log(`| T | log LR level | ×${multiplier} caught at T (upper bound) |`);
console.log('| ---: | ---: | ---: |');
for (const seconds of HORIZONS_SECONDS) {
  const i = seconds / TICK_SECONDS - 1;
  const level = quantile(healthy.map((r) => r[i] as number).sort((a, b) => a - b), 1 - falseRate) ?? 0;
  const caught = bad.filter((r) => (r[i] as number) > level).length;
  console.log(`| ${seconds} s | ${level.toFixed(2)} | ${((100 * caught) / bad.length).toFixed(1)}% |`);
}

const times = sequentialBad.filter((t): t is number => t !== null).sort((a, b) => a - b);
const medianSeconds = medianCountingMisses(times, sequentialBad.length);
const median = medianSeconds === null ? `> ${values['sequential-seconds']} s` : `${medianSeconds} s`;
const falseRollbacks = sequentialHealthy.filter((t) => t !== null).length;
console.log(
  `\nSequential, the noise model known (mixture of ×${SEQUENTIAL_MULTIPLIERS.join(', ×')}; roll back at 1/${falseRate}): ×${multiplier} caught within ${values['sequential-seconds']} s ${((100 * times.length) / sequentialBad.length).toFixed(1)}%, median ${median}; ${falseRollbacks} of ${sequentialHealthy.length} healthy rolled back in that time`,
);
