/**
 * Prototype: the learned-likelihood guard of learned-limits.ts, but with its rollback level set from
 * the app's own history instead of from its model. The guard's statistic (the likelihood ratio of
 * "×m since the deploy" to "healthy", averaged over m) is computed after every moment of the stable
 * release's last hours as if a deploy had happened there, and the guard rolls back when it exceeds
 * all but a share α of those: a conformal level (oracle-setup.ts), which holds however wrong the model
 * is, provided the deploy moment is like any other. Two levels: over every moment, and over the
 * largest of each `block` moments. Still told: the bursts' rate, length and error share, unless
 * `--no-bursts` gives the filter a model without any (wrong on noise with bursts: it costs speed), or
 * `--learn-bursts` picks them from a few choices, with the wander, over the whole history, or
 * `--broad-bursts` gives it bursts of every size, neither told nor learned.
 *
 *   node bench/detection/conformal-limits.ts [--noise combined] [--rps 20] [--hours 6] [--after 8]
 *        [--block 12] [--no-bursts | --learn-bursts | --broad-bursts] [--false-rate 0.00025]
 *        [--healthy 200] [--healthy-from 0] [--bad 200] [--bad-from 0]
 *
 * About 3 s a deploy (10 s learning bursts): split a long run with --healthy-from and --bad-from.
 */
import { parseArgs } from 'node:util';
import { TICK_SECONDS, type Counts } from './error-process.ts';
import type { Burst } from './noise.ts';
import { conformalLevel, historyThenDeploy, oracleOptions, oracleSetup } from './oracle-setup.ts';
import { medianCountingMisses } from './report.ts';
import { BROAD_BURSTS, LEARNED_BURSTS, learnWander, looksRate, weatherFilter } from './weather-filter.ts';

const options = {
  ...oracleOptions(200, 200),
  'false-rate': { type: 'string', default: '0.00025' },
  hours: { type: 'string', default: '6' },
  after: { type: 'string', default: '8' },
  block: { type: 'string', default: '12' },
  'no-bursts': { type: 'boolean', default: false },
  'learn-bursts': { type: 'boolean', default: false },
  'broad-bursts': { type: 'boolean', default: false },
  'healthy-from': { type: 'string', default: '0' },
  'bad-from': { type: 'string', default: '0' },
} as const;
const { values } = parseArgs({ options });
if ([values['no-bursts'], values['learn-bursts'], values['broad-bursts']].filter(Boolean).length > 1) {
  console.error('conformal-limits.ts: give at most one of --no-bursts, --learn-bursts and --broad-bursts');
  process.exit(2);
}
const setup = oracleSetup(values);
const HOUR = 3600 / TICK_SECONDS;
const HISTORY = Number(values.hours) * HOUR;
const AFTER = Number(values.after);
/** A pseudo-deploy needs this many looks of the stable release before it, as the deploy has. */
const BEFORE = 24;
const MULTIPLIERS = [2, 5, 10, 20];
/** The bursts each deploy's filter had, for the report. */
const learnedBursts: (readonly Burst[])[] = [];
/** Coarser than the default: the level is calibrated, so a rougher ratio costs power, never validity. */
const GUARD_GRID = { wanderLevels: 21, burstOffsets: 5 };

/** The running log of the ratio averaged over the multipliers, after each look from `at`. */
function statistic(filter: ReturnType<typeof weatherFilter>, state: Float64Array, looks: readonly Counts[], healthy: readonly number[], rate: number): number[] {
  const sums = MULTIPLIERS.map((m) => {
    let cumulative = 0;
    return filter.incrementsFrom(state, looks, Math.min(1, rate * m)).map((inc, t) => (cumulative += inc - (healthy[t] as number)));
  });
  return looks.map((_, t) => {
    let top = Number.NEGATIVE_INFINITY;
    for (const s of sums) top = Math.max(top, s[t] as number);
    let total = 0;
    for (const s of sums) total += Math.exp((s[t] as number) - top);
    return top + Math.log(total / MULTIPLIERS.length);
  });
}

const BLOCKS = [1, Number(values.block)];

/** Per way of setting the level (BLOCKS): seconds to the rollback, null, or no level (too little history for α). */
function deploy(index: number, ownRate: number): (number | null | 'no level')[] {
  const { looks: all } = historyThenDeploy(setup, index, ownRate, Number(values.hours), AFTER);
  const lastHour = all.slice(HISTORY - HOUR, HISTORY);
  const learned = values['learn-bursts']
    ? { ...learnWander(setup.noise, all.slice(0, HISTORY), LEARNED_BURSTS), rate: looksRate(lastHour) }
    : learnWander({ ...setup.noise, bursts: values['no-bursts'] ? [] : values['broad-bursts'] ? BROAD_BURSTS : setup.noise.bursts }, lastHour);
  learnedBursts.push(learned.model.bursts);
  // Five kinds of burst make five times the states: fewer start offsets keep the cost near the others'.
  const filter = weatherFilter(learned.model, learned.rate, 1, values['broad-bursts'] ? { ...GUARD_GRID, burstOffsets: 2 } : GUARD_GRID);
  const { increments, states } = filter.track(all, BEFORE);
  const from = (j: number) => statistic(filter, states[j] as Float64Array, all.slice(j, j + AFTER), increments.slice(j, j + AFTER), learned.rate);
  const maxima: number[] = [];
  for (let j = BEFORE; j + AFTER <= HISTORY; j++) maxima.push(Math.max(...from(j)));
  const deployed = from(HISTORY);
  return BLOCKS.map((block) => {
    const level = conformalLevel(maxima, setup.falseRate, block);
    if (level === null) return 'no level';
    const at = deployed.findIndex((v) => v > level);
    return at < 0 ? null : (at + 1) * TICK_SECONDS;
  });
}

const started = Date.now();
const healthyFrom = Number(values['healthy-from']);
const badFrom = Number(values['bad-from']);
const bad = Array.from({ length: setup.bad }, (_, i) => deploy(2_000_000 + badFrom + i, Math.min(1, setup.rate * setup.multiplier)));
const healthy = Array.from({ length: setup.healthy }, (_, i) => deploy(3_000_000 + healthyFrom + i, setup.rate));
const seconds = AFTER * TICK_SECONDS;
console.log(`# The learned likelihood with a conformal level${values['no-bursts'] ? ', its model without bursts' : values['learn-bursts'] ? ', bursts learned' : values['broad-bursts'] ? ', bursts of every size' : ''}: ${setup.noise.name} at ${setup.rps} rps, ×${setup.multiplier}; ${values.hours} h of history, α ${setup.falseRate}\n`);
console.log(`| level | ×${setup.multiplier} caught within ${seconds} s (${bad.length}) | median s | healthy rolled back within ${seconds} s (${healthy.length}) |`);
console.log('| --- | ---: | ---: | ---: |');
BLOCKS.forEach((block, b) => {
  const name = block === 1 ? 'over every moment' : `the largest of each ${block} moments`;
  if ([...bad, ...healthy].some((r) => r[b] === 'no level')) {
    console.log(`| ${name} | no level: ${values.hours} h is too little history for α ${setup.falseRate} | | |`);
    return;
  }
  const times = bad.flatMap((r) => (typeof r[b] === 'number' ? [r[b]] : [])).sort((x, y) => x - y);
  const caught = bad.length === 0 ? '—' : `${((100 * times.length) / bad.length).toFixed(1)}%`;
  const median = bad.length === 0 ? '—' : (medianCountingMisses(times, bad.length) ?? `> ${seconds}`);
  console.log(`| ${name} | ${caught} | ${median} | ${healthy.filter((r) => r[b] !== null).length} |`);
});
if (values['learn-bursts']) {
  const picked = new Map<string, number>();
  for (const b of learnedBursts) {
    const key = b.length === 0 ? 'none' : b.map((x) => `${x.perHour}/h at ${Math.round(x.errorRate * 100)}%`).join(' + ');
    picked.set(key, (picked.get(key) ?? 0) + 1);
  }
  console.log(`\nbursts learned: ${[...picked].map(([k, n]) => `${k}: ${((100 * n) / learnedBursts.length).toFixed(0)}%`).join(', ')}`);
}
console.log(`\n${((Date.now() - started) / Math.max(1, bad.length + healthy.length)).toFixed(0)} ms a deploy`);
