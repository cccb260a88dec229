/**
 * How fast can any rule detect a regression under a noise model without rolling back more than a
 * given share of healthy releases? A reference, not a detector: for each trailing window of W
 * seconds, the level L_W is set from simulated healthy deploys of the model itself so that exactly
 * `falseRate` of them ever see their W-second error rate reach it (an oracle that knows the noise);
 * then the median time for bad deploys' W-second rate to reach L_W. The best W bounds what rate
 * thresholds can do on that noise; docs/benchmarks.md compares it with ours.
 *
 *   node bench/detection/window-limits.ts [--noise combined] [--rps 20] [--rate 0.01] [--multiplier 10]
 *                                         [--healthy 20000] [--bad 2000] [--seed N]
 */
import { parseArgs } from 'node:util';
import { TICK_SECONDS, type Counts } from './error-process.ts';
import { oracleOptions, oracleSetup, weatheredDeploy } from './oracle-setup.ts';
import { quantile } from './report.ts';

const { values } = parseArgs({ options: oracleOptions(20_000) });
const setup = oracleSetup(values);
const { rate, multiplier, falseRate } = setup;
const LOOKS = 360;
const WINDOWS_SECONDS = [10, 15, 20, 25, 30, 45, 60, 90, 120, 180, 300, 600];

const windowLooks = (index: number, ownRate: number): Counts[] => weatheredDeploy(setup, index, ownRate, LOOKS).looks;

/** Per window length: the highest trailing rate over the deploy (full windows only). */
function maxTrailingRates(looks: readonly Counts[]): number[] {
  return WINDOWS_SECONDS.map((seconds) => firstCrossing(looks, seconds / TICK_SECONDS, Number.POSITIVE_INFINITY).max);
}

/** The first look (1-based) whose trailing w-look rate reaches `level`, and the highest rate seen. */
function firstCrossing(looks: readonly Counts[], w: number, level: number): { at: number | null; max: number } {
  let requests = 0;
  let errors = 0;
  let max = 0;
  for (let i = 0; i < looks.length; i++) {
    const look = looks[i] as Counts;
    requests += look.requests;
    errors += look.errors;
    const old = looks[i - w];
    if (old !== undefined) {
      requests -= old.requests;
      errors -= old.errors;
    }
    if (i + 1 < w || requests === 0) continue;
    const r = errors / requests;
    if (r >= level) return { at: i + 1, max: r };
    max = Math.max(max, r);
  }
  return { at: null, max };
}

const { healthy, bad } = setup;
const maxima = WINDOWS_SECONDS.map(() => [] as number[]);
for (let i = 0; i < healthy; i++) maxTrailingRates(windowLooks(i, rate)).forEach((m, k) => maxima[k]?.push(m));
const levels = maxima.map((m) => quantile(m.sort((a, b) => a - b), 1 - falseRate) ?? 1);

const badLooks = Array.from({ length: bad }, (_, i) => windowLooks(1_000_000 + i, Math.min(1, rate * multiplier)));
console.log(`# ${values.noise} at ${setup.rps} rps, ${rate * 100}% baseline: trailing-window rate thresholds set for ${falseRate * 100}% false rollbacks over ${healthy} healthy deploys; ×${multiplier} over ${bad} bad ones\n`);
console.log('| window | level (healthy 1 − false-rate quantile of the max) | ×' + multiplier + ' caught | median / p90 s |');
console.log('| ---: | ---: | ---: | ---: |');
WINDOWS_SECONDS.forEach((seconds, k) => {
  const level = levels[k] as number;
  const times = badLooks.map((looks) => firstCrossing(looks, seconds / TICK_SECONDS, level).at).filter((t): t is number => t !== null);
  const sorted = times.map((t) => t * TICK_SECONDS).sort((a, b) => a - b);
  const median = times.length * 2 >= bad ? quantile(sorted, (0.5 * bad) / sorted.length) : null;
  const p90 = times.length >= 0.9 * bad ? quantile(sorted, (0.9 * bad) / sorted.length) : null;
  console.log(`| ${seconds} s | ${(level * 100).toFixed(2)}% | ${((100 * times.length) / bad).toFixed(1)}% | ${median ?? '—'} / ${p90 ?? '—'} s |`);
});
