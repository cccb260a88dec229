/**
 * The learned-likelihood guard with a conformal level (conformal-limits.ts), run the way a daemon
 * would run it: on one long stream of a healthy app's looks, scoring every moment online as if a
 * deploy had happened there, keeping each minute's largest score, and setting the rollback level
 * from the last days of those. Every minute of the measured days is then a healthy deploy judged
 * against its own past, and every `--bad-every` minutes a bad release is deployed into a what-if
 * branch of the same weather (Environment.fork), so one stream measures both, at the cost of one
 * pass: the suite's design (each deploy with its own history) would score days of history per deploy.
 *
 * What the filter knows. Its wander and the app's rate are learned from the last hour, again every
 * hour; `--wander days` picks the wander from the last `--history-days` instead (every wander of the
 * grid scored online), `told` takes the noise model's (the rate still learned). Its bursts are
 * `--bursts broad` (every size, neither told nor learned), `told` (the noise model's), or `learned`
 * (picked with the wander over days, off a grid that leaves out the true size, or off
 * `--burst-sizes` × `--burst-rates`);
 * `--back-to-back` lets one start as another ends, as in the simulator. `--from` leaves the
 * statistic's first looks out. The last line printed is JSON for conformal-pool.ts, which pools
 * streams into one row.
 *
 *   node bench/detection/conformal-stream.ts [--noise combined] [--rps 20] [--multiplier 10]
 *        [--bursts broad|told|learned] [--wander learned|days|told] [--back-to-back]
 *        [--burst-sizes 0.2,0.35 --burst-rates 0.7,1.4]
 *        [--false-rate 0.00025] [--history-days 3] [--days 7] [--after 8] [--from 1]
 *        [--bad-every 10] [--stream 0] [--seed 20251204]
 */
import { parseArgs } from 'node:util';
import { clopperPearson } from './clopper-pearson.ts';
import { createEnvironment, TICK_SECONDS, type Counts } from './error-process.ts';
import { noiseModel, type Burst, type NoiseModel } from './noise.ts';
import { conformalLevel } from './oracle-setup.ts';
import { deriveSeed, mulberry32 } from './random.ts';
import { medianCountingMisses } from './report.ts';
import { BROAD_BURSTS, LEARNED_BURSTS, LEARNED_CORRELATION_SECONDS, LEARNED_SDS, learnWander, looksRate, weatherFilter, type WeatherFilter } from './weather-filter.ts';

const options = {
  noise: { type: 'string', default: 'combined' },
  rps: { type: 'string', default: '20' },
  rate: { type: 'string', default: '0.01' },
  multiplier: { type: 'string', default: '10' },
  'false-rate': { type: 'string', default: '0.00025' },
  'history-days': { type: 'string', default: '3' },
  days: { type: 'string', default: '7' },
  after: { type: 'string', default: '8' },
  from: { type: 'string', default: '1' },
  'back-to-back': { type: 'boolean', default: false },
  'burst-sizes': { type: 'string' },
  'burst-rates': { type: 'string' },
  bursts: { type: 'string', default: 'broad' },
  wander: { type: 'string', default: 'learned' },
  'bad-every': { type: 'string', default: '10' },
  stream: { type: 'string', default: '0' },
  seed: { type: 'string', default: '20251204' },
} as const;
const { values } = parseArgs({ options });

function listOf(name: string, text: string): number[] {
  const xs = text.split(',').map(Number);
  if (xs.some((x) => !(x > 0))) {
    console.error(`conformal-stream.ts: --${name} must be positive numbers separated by commas, got ${JSON.stringify(text)}`);
    process.exit(2);
  }
  return xs;
}

function positive(name: keyof typeof values, integer: boolean): number {
  const n = Number(values[name]);
  if (!(n > 0) || (integer && !Number.isInteger(n))) {
    console.error(`conformal-stream.ts: --${name} must be a positive ${integer ? 'integer' : 'number'}, got ${JSON.stringify(values[name])}`);
    process.exit(2);
  }
  return n;
}
if (!['broad', 'told', 'learned'].includes(values.bursts)) {
  console.error(`conformal-stream.ts: --bursts must be broad, told or learned, got ${JSON.stringify(values.bursts)}`);
  process.exit(2);
}
if (values.wander !== 'learned' && values.wander !== 'days' && values.wander !== 'told') {
  console.error(`conformal-stream.ts: --wander must be learned, days or told, got ${JSON.stringify(values.wander)}`);
  process.exit(2);
}
const learnsBursts = values.bursts === 'learned';
if (!learnsBursts && (values['burst-sizes'] !== undefined || values['burst-rates'] !== undefined)) {
  console.error('conformal-stream.ts: --burst-sizes and --burst-rates are the grid of --bursts learned');
  process.exit(2);
}
if (learnsBursts && values.wander !== 'days') {
  console.error(`conformal-stream.ts: --bursts ${values.bursts} is learned with the wander over days: give --wander days`);
  process.exit(2);
}
const noise = noiseModel(values.noise);
const rps = positive('rps', false);
const appRate = positive('rate', false);
const multiplier = positive('multiplier', false);
const falseRate = positive('false-rate', false);
const AFTER = positive('after', true);
/** The first look whose statistic counts: before it, a burst and a regression look alike. */
const FROM = positive('from', true);
if (FROM > AFTER) {
  console.error(`conformal-stream.ts: --from (${FROM}) must not be after --after (${AFTER})`);
  process.exit(2);
}
const badEvery = positive('bad-every', true);
const stream = Number(values.stream);
const seed = Number(values.seed);
for (const [name, n] of [['stream', stream], ['seed', seed]] as const) {
  if (!(Number.isInteger(n) && n >= 0)) {
    console.error(`conformal-stream.ts: --${name} must be a whole number ≥ 0, got ${JSON.stringify(values[name])}`);
    process.exit(2);
  }
}

const PER_MINUTE = 60 / TICK_SECONDS;
const HOUR = 60 * PER_MINUTE;
const DAY = 24 * HOUR;
/** Minutes of history the level reads: the last `--history-days`. */
const HISTORY_MINUTES = Math.round(positive('history-days', false) * 24 * 60);
/** The first hour teaches the filter; then the history fills; then every minute is measured. */
const MEASURED_FROM = HOUR + HISTORY_MINUTES * PER_MINUTE + PER_MINUTE;
const TOTAL = MEASURED_FROM + Math.round(positive('days', false) * DAY);
const MULTIPLIERS = [2, 5, 10, 20];
/** Looks a freshly learned filter reads to find the weather now. */
const BEFORE = 24;
const GRID = { wanderLevels: 21, burstOffsets: values.bursts === 'broad' ? 2 : 5 };
/** The filter's bursts, but for `--bursts learned`, where each wander on the grid has its own. */
const filterBursts = values.bursts === 'broad' ? BROAD_BURSTS : noise.bursts;

/** The statistic after a moment: the filter it started with, and its healthy and ×m states. */
interface Candidate {
  start: number;
  filter: WeatherFilter;
  rate: number;
  healthy: Float64Array;
  bad: Float64Array[];
  sums: number[];
  looks: number;
  max: number;
  /** The level it is judged against (a deploy), or null (a moment of the history only). */
  level: number | null;
  /** The look, 1-based, at which it first exceeded `level`. */
  firstOver: number | null;
}

function startCandidate(start: number, filter: WeatherFilter, rate: number, state: Float64Array, level: number | null): Candidate {
  return { start, filter, rate, healthy: Float64Array.from(state), bad: MULTIPLIERS.map(() => Float64Array.from(state)), sums: MULTIPLIERS.map(() => 0), looks: 0, max: Number.NEGATIVE_INFINITY, level, firstOver: null };
}

/** One look on: the log of the ratio of "×m since the start" to "healthy", averaged over m. */
function stepCandidate(c: Candidate, look: Counts): void {
  const healthy = c.filter.advance(c.healthy, look, c.rate);
  let top = Number.NEGATIVE_INFINITY;
  MULTIPLIERS.forEach((m, j) => {
    c.sums[j] = (c.sums[j] as number) + c.filter.advance(c.bad[j] as Float64Array, look, Math.min(1, c.rate * m)) - healthy;
    top = Math.max(top, c.sums[j] as number);
  });
  let total = 0;
  for (const s of c.sums) total += Math.exp(s - top);
  const statistic = top + Math.log(total / MULTIPLIERS.length);
  c.looks += 1;
  if (c.looks < FROM) return;
  c.max = Math.max(c.max, statistic);
  if (c.level !== null && c.firstOver === null && statistic > c.level) c.firstOver = c.looks;
}

const started = Date.now();
const env = createEnvironment(mulberry32(deriveSeed(seed, 4_000_000 + stream)), noise, rps);
env.next(HOUR, () => appRate);
const looks: Counts[] = [];
let filter: WeatherFilter | null = null;
let learnedRate = appRate;
let now: Float64Array = new Float64Array(0);
let open: Candidate[] = [];
/** Each finished minute's largest score, in time order. */
const minuteMaxima: number[] = [];
let minuteMax = Number.NEGATIVE_INFINITY;
let level: number | null = null;
const healthy = { deploys: 0, rolledBack: 0, noLevel: 0 };
const badTimes: (number | null)[] = [];
const levels: number[] = [];
const pickedWanders = new Map<string, number>();

/** `--bursts learned` picks from LEARNED_BURSTS, or from the grid `--burst-sizes` × `--burst-rates` (and none). */
const burstGrid: readonly (Burst | null)[] =
  values['burst-sizes'] === undefined
    ? LEARNED_BURSTS
    : [null, ...listOf('burst-rates', values['burst-rates'] ?? '0.5,2').flatMap((perHour) => listOf('burst-sizes', values['burst-sizes'] ?? '').map((errorRate) => ({ perHour, durationSeconds: 10, errorRate })))];
const burstChoices: (readonly Burst[])[] = learnsBursts ? burstGrid.map((b) => (b === null ? [] : [b])) : [filterBursts];
/**
 * `--wander days`: every wander of the learned grid scored online over the whole stream, each
 * hour's log-likelihood kept for the last `--history-days`, so the wander is picked from days of
 * looks rather than one hour's. Each look is weighed at the last hour's rate, as in the guard.
 */
const candidateWanders = burstChoices.flatMap((bursts) =>
  LEARNED_SDS.flatMap((sd) => LEARNED_CORRELATION_SECONDS.map((seconds): NoiseModel => ({ ...noise, bursts, wanderLogSd: sd, wanderSeconds: seconds }))),
);
const scored = candidateWanders.map((model) => ({ model, filter: weatherFilter(model, appRate, 1, GRID, { backToBack: values['back-to-back'] }), state: new Float64Array(0) as Float64Array, hour: 0, hours: [] as number[] }));
const HISTORY_HOURS = Math.max(1, Math.round(HISTORY_MINUTES / 60));

/** The wander (and with `--bursts learned`, the bursts) with the highest likelihood over the last days. */
function wanderOverDays(): NoiseModel {
  let best = scored[0] as (typeof scored)[number];
  let bestLog = Number.NEGATIVE_INFINITY;
  for (const w of scored) {
    w.hours.push(w.hour);
    if (w.hours.length > HISTORY_HOURS) w.hours.shift();
    w.hour = 0;
    const log = w.hours.reduce((sum, x) => sum + x, 0);
    if (log > bestLog) {
      bestLog = log;
      best = w;
    }
    // A fresh filter each hour: a filter keeps its chances for every rate it has weighed looks at.
    w.filter = weatherFilter(w.model, appRate, 1, GRID, { backToBack: values['back-to-back'] });
  }
  return best.model;
}

for (let t = 0; t < TOTAL; t++) {
  if (t >= HOUR && t % HOUR === 0) {
    const lastHour = looks.slice(t - HOUR, t);
    const learned =
      values.wander === 'told'
        ? { model: { ...noise, bursts: filterBursts }, rate: looksRate(lastHour) }
        : values.wander === 'days'
          ? { model: wanderOverDays(), rate: looksRate(lastHour) }
          : learnWander({ ...noise, bursts: filterBursts }, lastHour);
    filter = weatherFilter(learned.model, learned.rate, 1, GRID, { backToBack: values['back-to-back'] });
    const picked = `${learned.model.wanderLogSd}/${learned.model.wanderSeconds} s${learnsBursts ? `, ${learned.model.bursts.map((b) => `${Math.round(b.errorRate * 100)}% ${b.perHour}/h`).join(' ') || 'no bursts'}` : ''}`;
    pickedWanders.set(picked, (pickedWanders.get(picked) ?? 0) + 1);
    learnedRate = learned.rate;
    now = filter.atDeploy(looks.slice(t - BEFORE, t));
  }
  const measured = t >= MEASURED_FROM && t % PER_MINUTE === 0;
  if (t % PER_MINUTE === 0 && minuteMaxima.length >= HISTORY_MINUTES) {
    level = conformalLevel(minuteMaxima.slice(-HISTORY_MINUTES), falseRate);
    if (measured && level !== null) levels.push(level);
  }
  if (filter !== null) {
    open.push(startCandidate(t, filter, learnedRate, now, measured ? level : null));
    if (measured && (t / PER_MINUTE) % badEvery === 0) {
      // A bad release deployed now, in a branch of the same weather; the stream goes on healthy.
      const branch = env.fork(mulberry32(deriveSeed(seed, 5_000_000 + stream * 1_000_000 + t / PER_MINUTE)));
      const deploy = startCandidate(t, filter, learnedRate, now, level);
      for (let i = 0; i < AFTER && deploy.firstOver === null; i++) stepCandidate(deploy, branch.next(1, () => Math.min(1, appRate * multiplier)));
      badTimes.push(level === null || deploy.firstOver === null ? null : deploy.firstOver * TICK_SECONDS);
    }
  }
  const look = env.next(1, () => appRate);
  looks.push(look);
  if (values.wander === 'days') {
    for (const w of scored) {
      if (w.state.length === 0) w.state = w.filter.atDeploy([]);
      w.hour += w.filter.advance(w.state, look, t < HOUR ? looksRate(looks) : learnedRate);
    }
  }
  if (filter !== null) filter.advance(now, look, learnedRate);
  for (const c of open) stepCandidate(c, look);
  for (const c of open.filter((c) => c.looks === AFTER)) {
    minuteMax = Math.max(minuteMax, c.max);
    if (c.start % PER_MINUTE === PER_MINUTE - 1) {
      minuteMaxima.push(minuteMax);
      minuteMax = Number.NEGATIVE_INFINITY;
    }
    if (c.start >= MEASURED_FROM && c.start % PER_MINUTE === 0) {
      if (c.level === null) healthy.noLevel += 1;
      else {
        healthy.deploys += 1;
        if (c.firstOver !== null) healthy.rolledBack += 1;
      }
    }
  }
  open = open.filter((c) => c.looks < AFTER);
}

const seconds = AFTER * TICK_SECONDS;
const { lower, upper } = clopperPearson(healthy.rolledBack, Math.max(1, healthy.deploys));
const caught = badTimes.flatMap((s) => (s === null ? [] : [s])).sort((a, b) => a - b);
const median = medianCountingMisses(caught, badTimes.length);
const pct = (x: number) => `${(100 * x).toFixed(3)}%`;
console.log(
  `# conformal stream ${stream}: ${noise.name} at ${rps} rps, bursts ${values.bursts}${values['back-to-back'] ? ' (back to back)' : ''}, wander ${values.wander}; level from the last ${values['history-days']} days of minute maxima at α ${falseRate}; the statistic from look ${FROM} to ${AFTER}; ${values.days} days measured\n`,
);
console.log(`| healthy deploys | rolled back within ${seconds} s | 95% interval | ×${multiplier} deploys | caught within ${seconds} s | median s | ms a look |`);
console.log('| ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
console.log(
  `| ${healthy.deploys} | ${healthy.rolledBack} (${pct(healthy.rolledBack / Math.max(1, healthy.deploys))}) | ${pct(lower)}–${pct(upper)} | ${badTimes.length} | ${pct(caught.length / Math.max(1, badTimes.length))} | ${median ?? `> ${seconds}`} | ${((Date.now() - started) / TOTAL).toFixed(2)} |`,
);
const sortedLevels = [...levels].sort((a, b) => a - b);
console.log(`\nlevel (log ratio): min ${sortedLevels[0]?.toFixed(1)}, median ${sortedLevels[Math.floor(sortedLevels.length / 2)]?.toFixed(1)}, max ${sortedLevels.at(-1)?.toFixed(1)}; deploys without a level: ${healthy.noLevel}`);
console.log(`wanders picked (sd/correlation, hours): ${[...pickedWanders].map(([k, n]) => `${k}: ${n}`).join(', ')}`);
console.log(`JSON ${JSON.stringify({ stream, deploys: healthy.deploys, rolledBack: healthy.rolledBack, bad: badTimes })}`);
