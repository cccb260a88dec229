/**
 * How much of the likelihood bound (likelihood-limits.ts) a guard could keep if it learned the
 * wander instead of being told it. A prototype measurement, not the guard: from the previous
 * release's last hour of looks (one per tick) it picks the wander's sd and correlation time that
 * give those looks the highest likelihood, from a grid that leaves out the true values, and takes
 * the hour's error rate as the app's; then the sequential guard of likelihood-limits.ts runs with
 * that model. Still told: the bursts' rate, length and error share (the noise model's own).
 *
 *   node bench/detection/learned-limits.ts [--noise combined] [--rps 20] [--rate 0.01] [--multiplier 10]
 *        [--healthy 3000] [--healthy-from 0] [--bad 1000] [--seed N] [--false-rate 0.001] [--seconds 120]
 *
 * A few tenths of a second a deploy: split a long run with --healthy-from.
 */
import { parseArgs } from 'node:util';
import { TICK_SECONDS } from './error-process.ts';
import { oracleOptions, oracleSetup, weatheredDeploy } from './oracle-setup.ts';
import { medianCountingMisses } from './report.ts';
import { firstRollbackLook, LEARNED_CORRELATION_SECONDS, LEARNED_SDS, learnWander, SEQUENTIAL_MULTIPLIERS, weatherFilter, type LearnedWander } from './weather-filter.ts';

const { values } = parseArgs({ options: { ...oracleOptions(3000, 1000), seconds: { type: 'string', default: '120' }, 'healthy-from': { type: 'string', default: '0' } } as const });
const setup = oracleSetup(values);
const { noise, rate, multiplier, falseRate } = setup;
const HOUR_LOOKS = 3600 / TICK_SECONDS;
const LOOKS_BEFORE = 24;
const LOOKS_AFTER = Number(values.seconds) / TICK_SECONDS;

/** Seconds to the rollback within the horizon, or null; and the model learned. */
function guard(index: number, ownRate: number): { at: number | null; learned: LearnedWander } {
  const d = weatheredDeploy(setup, index, ownRate, LOOKS_AFTER, HOUR_LOOKS);
  const learned = learnWander(noise, d.before);
  const filter = weatherFilter(learned.model, learned.rate, 1);
  const rows = filter.logLikelihoodRatios(filter.atDeploy(d.before.slice(-LOOKS_BEFORE)), d.looks, SEQUENTIAL_MULTIPLIERS);
  const look = firstRollbackLook(rows, falseRate);
  return { at: look === null ? null : look * TICK_SECONDS, learned };
}

const bad = Array.from({ length: setup.bad }, (_, i) => guard(2_000_000 + i, Math.min(1, rate * multiplier)));
const healthyFrom = Number(values['healthy-from']);
const healthy = Array.from({ length: setup.healthy }, (_, i) => guard(3_000_000 + healthyFrom + i, rate));

const times = bad.flatMap((r) => (r.at === null ? [] : [r.at])).sort((a, b) => a - b);
const medianSeconds = medianCountingMisses(times, bad.length);
const median = bad.length === 0 ? '—' : medianSeconds === null ? `> ${values.seconds} s` : `${medianSeconds} s`;
const rolledBack = healthy.filter((r) => r.at !== null).length;
const learnedModels = [...healthy, ...bad].map((r) => r.learned.model);
const learnedSds = learnedModels.map((m) => m.wanderLogSd);
const learnedSeconds = learnedModels.map((m) => m.wanderSeconds);
const share = (xs: number[], v: number) => (xs.length === 0 ? '—' : `${((100 * xs.filter((x) => x === v).length) / xs.length).toFixed(0)}%`);
console.log(`# ${noise.name} at ${setup.rps} rps, ${rate * 100}% baseline, ×${multiplier}; the wander learned from the last hour, bursts told`);
console.log(`learned sd: ${LEARNED_SDS.map((v) => `${v}: ${share(learnedSds, v)}`).join(', ')} (true ${noise.wanderLogSd})`);
console.log(`learned correlation: ${LEARNED_CORRELATION_SECONDS.map((v) => `${v} s: ${share(learnedSeconds, v)}`).join(', ')} (true ${noise.wanderSeconds} s)`);
console.log(
  `×${multiplier} caught within ${values.seconds} s ${bad.length === 0 ? '—' : `${((100 * times.length) / bad.length).toFixed(1)}%`}, median ${median}; ${rolledBack} of ${healthy.length} healthy rolled back in that time`,
);
