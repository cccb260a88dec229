/**
 * One simulated deploy in virtual time: a day of the app's traffic into the remembered baseline,
 * then the guard window with a look every 5 s, every detector fed the same counts (common random
 * numbers, so differences between detectors are not sampling noise). Nothing sleeps.
 */
import { addBaselineReadings, emptyBaselineHistory, type BaselineReading } from '../../src/analysis/baseline-history.ts';
import { summariseBaseline } from '../../src/analysis/baseline-summary.ts';
import { binomialUpperBound } from '../../src/analysis/binomial-bounds.ts';
import { DEFAULT_ERROR_RATE_SPEC } from '../../src/analysis/error-rate.ts';
import type { ErrorRateTestSpec } from '../../src/analysis/error-rate-test-spec.ts';
import { MULTIPLIER, type Cell, type ReleaseClass, type Timing } from './cells.ts';
import type { DetectorDefinition } from './detectors.ts';
import { createEnvironment, TICK_SECONDS, type Counts } from './error-process.ts';
import { noiseModel } from './noise.ts';
import { deriveSeed, mulberry32 } from './random.ts';

export interface DeployResult {
  /** Per detector: seconds from the onset to the rollback, null when not rolled back (or not run). */
  detectedAfter: (number | null)[];
  dispersion: number;
  shortDispersion: number;
  bursty: boolean;
  insufficientBaseline: boolean;
  /**
   * The baseline's upper bound was below the app's true rate: ours (remembered, φ-divided, at
   * baselineAlpha; against the rate at the deploy where it followed the load, else the day's mean)
   * and the pre-issue one (30 minutes, raw counts, at alpha; against the day's mean).
   */
  boundMissed: boolean;
  preIssueBoundMissed: boolean;
}

const CLASS_SALT: Readonly<Record<ReleaseClass, number>> = { healthy: 1, 'errors-x5': 2, 'errors-x10': 3, 'hard-down': 4 };

/** The seed of one deploy: a function of the suite seed, the cell, the class and the index only. */
export function deploySeed(seed: number, cell: Cell, cls: ReleaseClass, index: number): number {
  let h = seed;
  for (const ch of cell.id) h = deriveSeed(h, ch.charCodeAt(0));
  return deriveSeed(deriveSeed(h, CLASS_SALT[cls]), index);
}

const MINUTE_TICKS = 60 / TICK_SECONDS;

export function simulateDeploy(
  seed: number,
  cell: Cell,
  cls: ReleaseClass,
  index: number,
  detectors: readonly DetectorDefinition[],
  spec: ErrorRateTestSpec,
  timing: Timing,
): DeployResult {
  const u = mulberry32(deploySeed(seed, cell, cls, index));
  const env = createEnvironment(u, noiseModel(cell.noise), cell.requestsPerSecond);
  const base = cell.baselineRate;
  const steady = () => base;
  // Env seconds map to epoch-like ms from 0; the history ends where the guard begins.
  const readings: BaselineReading[] = [];
  const historyMinutes = Math.round(timing.historyHours * 60);
  const recent: Counts[] = [];
  for (let m = 0; m < historyMinutes; m++) {
    const counts = env.next(MINUTE_TICKS, steady);
    readings.push({ at: env.now() * 1000 - 1, ...counts });
    recent.push(counts);
    if (recent.length > cell.preIssueBaselineMinutes) recent.shift();
  }
  const history = addBaselineReadings(emptyBaselineHistory(), readings);
  const guardStart = env.now();
  const summary = summariseBaseline(history, spec);
  const preIssueBaseline = recent.reduce((s, c) => ({ requests: s.requests + c.requests, errors: s.errors + c.errors }), { requests: 0, errors: 0 });
  const ctx = { cell, releaseClass: cls, history, summary, preIssueBaseline, guardStartMs: guardStart * 1000, levelAtDeploy: env.level() };
  const running = detectors.map((d) => (d.badOnly && cls === 'healthy' ? null : d.create(ctx)));
  const detectedAfter: (number | null)[] = detectors.map(() => null);
  let open = running.filter((d) => d !== null).length;
  const badRate = Math.min(1, base * MULTIPLIER[cls]);
  const onset = guardStart + cell.onsetSeconds;
  const releaseRate = (t: number) => (t >= onset ? badRate : base);
  const looks = Math.round(timing.windowSeconds / timing.lookEverySeconds);
  const ticksPerLook = Math.round(timing.lookEverySeconds / TICK_SECONDS);
  for (let i = 1; i <= looks && open > 0; i++) {
    const counts = env.next(ticksPerLook, releaseRate);
    const seconds = i * timing.lookEverySeconds;
    const look = { atMs: (guardStart + seconds) * 1000, seconds, counts };
    for (let d = 0; d < running.length; d++) {
      const detector = running[d];
      if (detector === undefined || detector === null || detectedAfter[d] !== null) continue;
      if (detector(look)) {
        detectedAfter[d] = seconds - cell.onsetSeconds;
        open -= 1;
      }
    }
  }
  return {
    detectedAfter,
    dispersion: summary.dispersion,
    shortDispersion: summary.shortDispersion,
    bursty: summary.bursty,
    insufficientBaseline: summary.insufficient !== undefined,
    // Where θ followed the load, its bound is on the rate at the deploy, not the day's mean.
    boundMissed: summary.upperBound < base * (summary.rateAtLoad === undefined ? 1 : ctx.levelAtDeploy),
    preIssueBoundMissed: binomialUpperBound(preIssueBaseline.errors, preIssueBaseline.requests, DEFAULT_ERROR_RATE_SPEC.alpha) < base,
  };
}
