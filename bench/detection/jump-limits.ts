/**
 * Prototype, left: a jump test with a conformal level, without a noise model. At the deploy it
 * compares the new release's looks with the previous release's last looks (a conditional binomial
 * ratio mixed over ×2…×20: scale-free, so the wander's level and the daily swing cancel), leaving out
 * the `trim` looks with the most errors (a burst's), and rolls back when the ratio exceeds the level
 * the same statistic set over the stable release's history (oracle-setup.ts, conformalLevel).
 * `--level` also asks the looks to stand out against the history's own rate (the smaller of the two).
 *
 *   node bench/detection/jump-limits.ts [--noise combined] [--rps 20] [--trims 0,2,3] [--before 12]
 *        [--after 24] [--hours 24] [--false-rate 0.00025] [--bad 300] [--healthy 0] [--level]
 */
import { parseArgs } from 'node:util';
import { TICK_SECONDS, type Counts } from './error-process.ts';
import { conformalLevel, historyThenDeploy, oracleOptions, oracleSetup } from './oracle-setup.ts';
import { medianCountingMisses } from './report.ts';

const options = {
  ...oracleOptions(0, 300),
  'false-rate': { type: 'string', default: '0.00025' },
  trims: { type: 'string', default: '0,2,3' },
  before: { type: 'string', default: '12' },
  after: { type: 'string', default: '24' },
  hours: { type: 'string', default: '24' },
  level: { type: 'boolean', default: false },
} as const;
const { values } = parseArgs({ options });
const setup = oracleSetup(values);
const TRIMS = values.trims.split(',').map(Number);
const BEFORE = Number(values.before);
const AFTER = Number(values.after);
if (!TRIMS.every((t) => Number.isInteger(t) && t >= 0) || !(BEFORE > 0 && AFTER > 0)) {
  console.error('jump-limits.ts: --trims takes whole numbers ≥ 0 (0,2,3); --before and --after take a positive number of looks');
  process.exit(2);
}
const MULTIPLIERS = [2, 3, 5, 10, 20];
const LOG_WEIGHT = Math.log(1 / MULTIPLIERS.length);

function logMeanExp(terms: readonly number[]): number {
  const top = Math.max(...terms);
  return top + Math.log(terms.reduce((s, t) => s + Math.exp(t - top), 0)) + LOG_WEIGHT;
}

/** Given all errors before and after, those after are binomial: "after = m × before" against m = 1. */
function jump(before: Counts, after: Counts): number {
  if (before.requests <= 0 || after.requests <= 0 || before.errors + after.errors === 0) return 0;
  const p0 = after.requests / (before.requests + after.requests);
  return logMeanExp(MULTIPLIERS.map((m) => {
    const pm = (m * after.requests) / (before.requests + m * after.requests);
    return after.errors * Math.log(pm / p0) + before.errors * Math.log((1 - pm) / (1 - p0));
  }));
}

/** The Poisson ratio of "rate = m × the history's" against the history's rate. */
function againstRate(rate: number, after: Counts): number {
  return after.requests <= 0 ? 0 : logMeanExp(MULTIPLIERS.map((m) => after.errors * Math.log(m) - after.requests * rate * (m - 1)));
}

/** The statistic after each look from index `at`, leaving out the `trim` looks with the most errors. */
function statistic(looks: readonly Counts[], at: number, trim: number, rate: number): number[] {
  const before = { requests: 0, errors: 0 };
  for (const l of looks.slice(at - BEFORE, at)) {
    before.requests += l.requests;
    before.errors += l.errors;
  }
  const total = { requests: 0, errors: 0 };
  const worst: Counts[] = [];
  return looks.slice(at, at + AFTER).map((l, i) => {
    total.requests += l.requests;
    total.errors += l.errors;
    if (trim > 0) {
      if (worst.length < trim) worst.push(l);
      else {
        const least = worst.reduce((low, w, k) => (w.errors < (worst[low] as Counts).errors ? k : low), 0);
        if (l.errors > (worst[least] as Counts).errors) worst[least] = l;
      }
    }
    if (i < trim) return 0;
    const kept = { requests: total.requests - worst.reduce((s, w) => s + w.requests, 0), errors: total.errors - worst.reduce((s, w) => s + w.errors, 0) };
    const j = jump(before, kept);
    return values.level ? Math.min(j, againstRate(rate, kept)) : j;
  });
}

/** Per trim: seconds from the deploy to the rollback, or null. */
function deploy(index: number, ownRate: number): (number | null)[] {
  const { looks, history } = historyThenDeploy(setup, index, ownRate, Number(values.hours), AFTER);
  const stable = looks.slice(0, history);
  const rate = stable.reduce((s, l) => s + l.errors, 0) / Math.max(1, stable.reduce((s, l) => s + l.requests, 0));
  return TRIMS.map((trim) => {
    const maxima: number[] = [];
    for (let j = BEFORE; j + AFTER <= history; j++) maxima.push(Math.max(...statistic(looks, j, trim, rate)));
    const level = conformalLevel(maxima, setup.falseRate);
    if (level === null) throw new Error(`${values.hours} h of history cannot give a level at α ${setup.falseRate}`);
    const at = statistic(looks, history, trim, rate).findIndex((v) => v > level);
    return at < 0 ? null : (at + 1) * TICK_SECONDS;
  });
}

const bad = Array.from({ length: setup.bad }, (_, i) => deploy(2_000_000 + i, Math.min(1, setup.rate * setup.multiplier)));
const healthy = Array.from({ length: setup.healthy }, (_, i) => deploy(3_000_000 + i, setup.rate));
const seconds = AFTER * TICK_SECONDS;
console.log(`# A jump test with a conformal level: ${setup.noise.name} at ${setup.rps} rps, ×${setup.multiplier}; ${values.hours} h of history, ${BEFORE} looks before, α ${setup.falseRate}${values.level ? ', and against the history’s rate' : ''}\n`);
console.log(`| looks left out | ×${setup.multiplier} caught within ${seconds} s (${bad.length}) | median s | healthy rolled back (${healthy.length}) |`);
console.log('| ---: | ---: | ---: | ---: |');
TRIMS.forEach((trim, t) => {
  const times = bad.flatMap((r) => (r[t] === null || r[t] === undefined ? [] : [r[t]])).sort((a, b) => a - b);
  const caught = bad.length === 0 ? '—' : `${((100 * times.length) / bad.length).toFixed(1)}%`;
  console.log(`| ${trim} | ${caught} | ${medianCountingMisses(times, bad.length) ?? `> ${seconds}`} | ${healthy.filter((r) => r[t] !== null).length} |`);
});
