/**
 * Could any rule catch a regression within T seconds of the deploy without rolling back more than
 * `falseRate` of healthy releases? A generous reference, not a detector. For each statistic of the
 * counts from the deploy to T, the level is set from simulated healthy deploys of the noise model
 * itself so that exactly `falseRate` of them reach it at T, spending the whole false-rollback budget
 * on that one moment (a real guard spends it over the whole window). Then: the share of bad deploys
 * that reach it at T. With `--knows-level` the oracle also knows the daily swing at the deploy and
 * divides it out. When no statistic catches half the bad deploys at T, a median detection time of
 * T or less is out of reach for rules built on these statistics, however they are tuned.
 *
 * Statistics (5-second looks from the deploy):
 *   rate           errors / requests
 *   trimmed-k      the same without the k looks with the highest error share (a 10 s burst spans
 *                  2 or 3 looks)
 *
 *   node bench/detection/deploy-limits.ts [--noise combined] [--rps 20] [--rate 0.01] [--multiplier 10]
 *                                         [--healthy 50000] [--bad 2000] [--seed N] [--false-rate 0.001] [--knows-level]
 */
import { parseArgs } from 'node:util';
import { TICK_SECONDS, type Counts } from './error-process.ts';
import { oracleOptions, oracleSetup, weatheredDeploy } from './oracle-setup.ts';
import { quantile } from './report.ts';

const { values } = parseArgs({ options: { ...oracleOptions(50_000), 'knows-level': { type: 'boolean', default: false } } as const });
const setup = oracleSetup(values);
const { rate, multiplier, falseRate } = setup;
const knowsLevel = values['knows-level'];
const HORIZONS_SECONDS = [15, 20, 25, 30, 45, 60];
const LOOKS = Math.max(...HORIZONS_SECONDS) / TICK_SECONDS;

interface Deploy {
  looks: Counts[];
  /** The daily swing's multiplier at the deploy (1 when the oracle does not know it). */
  level: number;
}

function deploy(index: number, ownRate: number): Deploy {
  const { looks, levelAtDeploy } = weatheredDeploy(setup, index, ownRate, LOOKS);
  return { looks, level: knowsLevel ? levelAtDeploy : 1 };
}

/** The error share of the first `n` looks, leaving out the `trim` looks with the highest share. */
function trimmedRate(looks: readonly Counts[], n: number, trim: number): number {
  const first = looks.slice(0, n);
  const kept = trim === 0 ? first : [...first].sort((a, b) => share(a) - share(b)).slice(0, Math.max(0, n - trim));
  const requests = kept.reduce((s, l) => s + l.requests, 0);
  const errors = kept.reduce((s, l) => s + l.errors, 0);
  return requests > 0 ? errors / requests : 0;
}
const share = (l: Counts) => (l.requests > 0 ? l.errors / l.requests : 0);

const STATISTICS = [
  { name: 'rate', trim: 0 },
  { name: 'trimmed-2', trim: 2 },
  { name: 'trimmed-3', trim: 3 },
];

const statisticAt = (d: Deploy, seconds: number, trim: number) => trimmedRate(d.looks, seconds / TICK_SECONDS, trim) / d.level;

const healthy = Array.from({ length: setup.healthy }, (_, i) => deploy(i, rate));
const bad = Array.from({ length: setup.bad }, (_, i) => deploy(1_000_000 + i, Math.min(1, rate * multiplier)));

console.log(
  `# ${values.noise} at ${setup.rps} rps, ${rate * 100}% baseline${knowsLevel ? ', the daily level known' : ''}: levels set for ${falseRate * 100}% false rollbacks at T over ${healthy.length} healthy deploys; ×${multiplier} over ${bad.length} bad ones\n`,
);
console.log(`| T | ${STATISTICS.map((s) => `${s.name}: level · ×${multiplier} caught at T`).join(' | ')} |`);
console.log(`| ---: | ${STATISTICS.map(() => '---:').join(' | ')} |`);
for (const seconds of HORIZONS_SECONDS) {
  const cells = STATISTICS.map(({ trim }) => {
    if (trim >= seconds / TICK_SECONDS - 1) return '—';
    const level = quantile(healthy.map((d) => statisticAt(d, seconds, trim)).sort((a, b) => a - b), 1 - falseRate) ?? 1;
    const caught = bad.filter((d) => statisticAt(d, seconds, trim) > level).length;
    return `${(level * 100).toFixed(2)}% · ${((100 * caught) / bad.length).toFixed(1)}%`;
  });
  console.log(`| ${seconds} s | ${cells.join(' | ')} |`);
}
