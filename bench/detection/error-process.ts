/**
 * The environment a release runs in, stepped in 5-second ticks: load, the wandering error-rate
 * multiplier, bursts and the daily swing (noise.ts), and the counts they produce. One environment
 * runs through the baseline's history and on into the guard window, so a healthy release sees
 * exactly the weather its baseline saw. History is drawn per minute (one Poisson and two binomials
 * for 12 ticks), the guard per tick.
 */
import { binomial, poisson } from './discrete.ts';
import { LOAD_AUTOCORRELATION_PER_5S, LOAD_LOG_SD, type NoiseModel } from './noise.ts';
import type { Uniform } from './random.ts';

export const TICK_SECONDS = 5;
const DAY_SECONDS = 86_400;

export interface Counts {
  requests: number;
  errors: number;
}

/** Standard normals two at a time (Box–Muller, both variates used). */
function normals(u: Uniform): () => number {
  let spare: number | undefined;
  return () => {
    if (spare !== undefined) {
      const s = spare;
      spare = undefined;
      return s;
    }
    const radius = Math.sqrt(-2 * Math.log(1 - u()));
    const angle = 2 * Math.PI * u();
    spare = radius * Math.sin(angle);
    return radius * Math.cos(angle);
  };
}

export interface Environment {
  /** Seconds since the environment started. */
  readonly now: () => number;
  /** The weather's mean multiplier of the error rate now: the daily swing (the wander averages 1). */
  readonly level: () => number;
  /**
   * Counts of the next `ticks` ticks for a release whose own error rate is `rateOf(t)` times the
   * weather (`t` = seconds at the tick's start); a rate ≥ 1 is a hard-down release.
   */
  next(ticks: number, rateOf: (t: number) => number): Counts;
  /**
   * The same weather from now on (load, wander, bursts, daily phase), drawn with `u` from here:
   * a what-if branch, such as a bad release deployed at this moment, that leaves this one as it is.
   */
  fork(u: Uniform): Environment;
}

/** What the weather is at a moment; each environment draws its own future from it. */
interface WeatherState {
  now: number;
  dayPhase: number;
  logLoad: number;
  logWander: number;
  burstStarts: number[];
}

export function createEnvironment(u: Uniform, noise: NoiseModel, requestsPerSecond: number): Environment {
  const normal = normals(u);
  // The draws' order fixes every figure the benchmarks print: keep it.
  const dayPhase = u() * DAY_SECONDS;
  const logLoad = LOAD_LOG_SD * normal();
  const logWander = noise.wanderLogSd > 0 ? noise.wanderLogSd * normal() : 0;
  const exponential = (mean: number) => -mean * Math.log(1 - u());
  const burstStarts = noise.bursts.map((b) => exponential(3600 / b.perHour));
  return environmentFrom(u, normal, noise, requestsPerSecond, { now: 0, dayPhase, logLoad, logWander, burstStarts });
}

function environmentFrom(u: Uniform, normal: () => number, noise: NoiseModel, requestsPerSecond: number, weather: WeatherState): Environment {
  const loadInnovation = LOAD_LOG_SD * Math.sqrt(1 - LOAD_AUTOCORRELATION_PER_5S ** 2);
  const wanderRho = Math.exp(-TICK_SECONDS / noise.wanderSeconds);
  const wanderInnovation = noise.wanderLogSd * Math.sqrt(1 - wanderRho * wanderRho);
  const wanderCorrection = (noise.wanderLogSd * noise.wanderLogSd) / 2;
  const loadCorrection = (LOAD_LOG_SD * LOAD_LOG_SD) / 2;
  const { dayPhase, burstStarts } = weather;
  let { now, logLoad, logWander } = weather;
  const exponential = (mean: number) => -mean * Math.log(1 - u());

  /** Seconds of [a, b) covered by bursts of kind i; moves on to later bursts as they pass. */
  function burstOverlap(i: number, a: number, b: number): number {
    const burst = noise.bursts[i];
    if (burst === undefined) return 0;
    let covered = 0;
    for (;;) {
      const start = burstStarts[i] as number;
      const end = start + burst.durationSeconds;
      if (start >= b) return covered;
      covered += Math.max(0, Math.min(b, end) - Math.max(a, start));
      if (end > b) return covered;
      burstStarts[i] = end + exponential(3600 / burst.perHour);
    }
  }

  const weightedBurst = noise.bursts.map(() => 0);
  const wanders = noise.wanderLogSd > 0;
  const swings = noise.dailyAmplitude !== 0;
  const swingAt = (t: number) => (swings ? 1 + noise.dailyAmplitude * Math.sin((2 * Math.PI * (t + dayPhase)) / DAY_SECONDS) : 1);
  const rateSwing = noise.rateSwing;
  const rateSwingAt = rateSwing === undefined ? swingAt : (t: number) => 1 + rateSwing.amplitude * Math.sin((2 * Math.PI * (t - rateSwing.lagHours * 3600 + dayPhase)) / DAY_SECONDS);
  return {
    now: () => now,
    level: () => rateSwingAt(now),
    fork(v) {
      return environmentFrom(v, normals(v), noise, requestsPerSecond, { now, dayPhase, logLoad, logWander, burstStarts: [...burstStarts] });
    },
    next(ticks, rateOf) {
      let meanRequests = 0;
      let weightedRate = 0;
      weightedBurst.fill(0);
      let hardDown = false;
      // Bursts that cannot touch this call's span are skipped without a per-tick look.
      const end = now + ticks * TICK_SECONDS;
      const burstsNear = burstStarts.some((start) => start < end);
      // Over one call (a minute at most) the daily swing moves by well under 1%: one value will do.
      const swing = rateSwingAt(now);
      const loadScale = requestsPerSecond * TICK_SECONDS * swingAt(now);
      for (let i = 0; i < ticks; i++) {
        logLoad = LOAD_AUTOCORRELATION_PER_5S * logLoad + loadInnovation * normal();
        if (wanders) logWander = wanderRho * logWander + wanderInnovation * normal();
        const load = loadScale * Math.exp(logLoad - loadCorrection);
        const own = rateOf(now);
        hardDown ||= own >= 1;
        meanRequests += load;
        weightedRate += load * Math.min(1, own * swing * (wanders ? Math.exp(logWander - wanderCorrection) : 1));
        if (burstsNear) {
          for (let k = 0; k < noise.bursts.length; k++) {
            weightedBurst[k] = (weightedBurst[k] as number) + (load * burstOverlap(k, now, now + TICK_SECONDS)) / TICK_SECONDS;
          }
        }
        now += TICK_SECONDS;
      }
      const requests = poisson(u, meanRequests);
      if (hardDown) return { requests, errors: requests };
      // Requests in bursts fail at the burst's rate or the release's own, whichever is higher.
      let calm = requests;
      let calmShare = 1;
      let errors = 0;
      const rate = meanRequests > 0 ? weightedRate / meanRequests : 0;
      for (let k = 0; k < noise.bursts.length; k++) {
        const share = meanRequests > 0 ? (weightedBurst[k] as number) / meanRequests : 0;
        if (share <= 0 || calm === 0) continue;
        const inBurst = binomial(u, calm, Math.min(1, share / calmShare));
        calm -= inBurst;
        calmShare = Math.max(1e-12, calmShare - share);
        errors += binomial(u, inBurst, Math.max(rate, noise.bursts[k]?.errorRate ?? 0));
      }
      return { requests, errors: errors + binomial(u, calm, rate) };
    },
  };
}
