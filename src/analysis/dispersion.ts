/**
 * How much more error counts vary than independent errors would let them: the dispersion factor
 * φ ≥ 1 of quasi-likelihood (Wedderburn 1974; McCullagh & Nelder 1989, ch. 9), estimated from the
 * baseline's own blocks at two time scales. Dividing counts by φ turns them into "effective" counts,
 * which the bound and the test then treat as independent (docs/statistics.md, "Dependence").
 *
 * Why two scales: a wandering error rate inflates the variance of a count more the longer the
 * count runs, up to its correlation time (Cox & Lewis' index of dispersion for counts). Evidence
 * piled up over a 20-second regression must be discounted by the minute-scale φ, evidence over
 * half an hour by the long-run φ; one number would make the test either slow or fooled.
 * - `short`: within groups of ≥ 5 minutes, the Pearson χ² of their minutes around the group's own
 *   rate (from each block's Σ errors²/requests), over its degrees of freedom.
 * - `long`: differences between the rates of nearby groups (von Neumann's mean square successive
 *   difference, at lag 2 for short groups), not deviations from the overall mean, so a daily swing
 *   (a slow trend) cancels.
 * Both set outliers aside — groups or differences beyond `outlierFactor` times a median-based scale —
 * because bursts are handled by the per-look cap and one burst must not blind the whole test.
 */
import type { BaselineBlock } from '../domain/error-rate-evidence.ts';

export interface DispersionOptions {
  groupMs: number;
  minExpectedErrors: number;
  outlierFactor: number;
  /** With fewer groups than this, φ is not estimated and 1 is returned. */
  minGroups: number;
}

export const DEFAULT_DISPERSION_OPTIONS: Readonly<DispersionOptions> = Object.freeze({
  groupMs: 5 * 60_000,
  minExpectedErrors: 5,
  outlierFactor: 10,
  minGroups: 9,
});

export interface DispersionEstimate {
  /** φ at the minute scale (≥ 1; 1 when not estimated). */
  short: number;
  /** φ at the scale of `groupMs` and beyond (≥ short). */
  long: number;
  /** Groups it was estimated from (0: not estimated). */
  groups: number;
}

interface Group {
  requests: number;
  errors: number;
  minutes: number;
  minuteSquares: number;
  span: number;
  /** The group's worst minute (most errors). */
  peakRequests: number;
  peakErrors: number;
}

const emptyGroup = (): Group => ({ requests: 0, errors: 0, minutes: 0, minuteSquares: 0, span: 0, peakRequests: 0, peakErrors: -1 });

/** Consecutive blocks pooled into groups of at least groupMs and minExpectedErrors expected errors. */
function groupBlocks(blocks: readonly BaselineBlock[], rate: number, o: DispersionOptions): Group[] {
  const out: Group[] = [];
  let g = emptyGroup();
  for (const b of blocks) {
    const peak = b.peakErrors > g.peakErrors ? b : g;
    g = {
      requests: g.requests + b.requests,
      errors: g.errors + b.errors,
      minutes: g.minutes + b.minutes,
      minuteSquares: g.minuteSquares + b.minuteSquares,
      span: g.span + (b.end - b.start),
      peakRequests: peak.peakRequests,
      peakErrors: peak.peakErrors,
    };
    if (g.span >= o.groupMs && g.requests * rate >= o.minExpectedErrors) {
      out.push(g);
      g = emptyGroup();
    }
  }
  return out;
}

const median = (sorted: readonly number[]) => sorted[Math.floor((sorted.length - 1) / 2)] ?? 0;

/** Median of χ²₁, so median / this estimates the scale of a scaled χ²₁. */
export const CHI2_1_MEDIAN = 0.454936;

/** E[χ²₁ | χ²₁ ≤ c] = P(χ²₃ ≤ c) / P(χ²₁ ≤ c) = 1 − √(2c/π)·e^(−c/2) / erf(√(c/2)). */
function truncatedChiSquareMean(c: number): number {
  const p1 = erf(Math.sqrt(c / 2));
  return 1 - (Math.sqrt((2 * c) / Math.PI) * Math.exp(-c / 2)) / p1;
}

/** erf by Abramowitz & Stegun 7.1.26 (|error| < 1.5e-7), enough for a correction factor. */
function erf(x: number): number {
  const t = 1 / (1 + 0.3275911 * Math.abs(x));
  const y = 1 - ((((1.061405429 * t - 1.453152027) * t + 1.421413741) * t - 0.284496736) * t + 0.254829592) * t * Math.exp(-x * x);
  return x >= 0 ? y : -y;
}

/** A group's worst minute counts as a burst when its χ² is this many times the mean of the other minutes'. */
const BURST_MINUTE_FACTOR = 15;

/**
 * The group without its worst minute when that minute is a burst: far beyond what the group's
 * other minutes vary (a χ²₁ beyond 15 has probability 1e-4, so independent or gently wandering
 * errors almost never lose a minute here). Bursts are the per-look cap's business, not φ's.
 */
function withoutBurstMinute(g: Group, rate: number): Group {
  const dof = g.minutes - 1;
  if (dof < 2 || g.peakRequests <= 0 || g.peakRequests >= g.requests) return g;
  const variance = rate * (1 - rate);
  const chi = Math.max(0, g.minuteSquares - (g.errors * g.errors) / g.requests) / variance;
  const peakChi = (g.peakErrors - (g.peakRequests * g.errors) / g.requests) ** 2 / (g.peakRequests * variance);
  const rest = Math.max(0, chi - peakChi) / (dof - 1);
  if (peakChi <= BURST_MINUTE_FACTOR * Math.max(1, rest)) return g;
  return {
    ...g,
    requests: g.requests - g.peakRequests,
    errors: g.errors - g.peakErrors,
    minutes: g.minutes - 1,
    minuteSquares: Math.max(0, g.minuteSquares - (g.peakErrors * g.peakErrors) / g.peakRequests),
    peakRequests: 0,
    peakErrors: 0,
  };
}

/** A group's within-group Pearson χ² and its degrees of freedom. */
function withinGroup(g: Group, rate: number): { chi: number; dof: number } {
  const chi = Math.max(0, g.minuteSquares - (g.errors * g.errors) / g.requests) / (rate * (1 - rate));
  return { chi, dof: g.minutes - 1 };
}

/** Minute-scale φ: pooled within-group Pearson χ² over its degrees of freedom, outlying groups aside. */
function shortScale(groups: readonly Group[], rate: number, o: DispersionOptions): number {
  const within = groups.filter((g) => g.minutes >= 2).map((g) => withinGroup(g, rate));
  if (within.length < o.minGroups) return 1;
  const perDof = within.map((w) => w.chi / w.dof).sort((a, b) => a - b);
  // χ²_d/d has median near 1 for the groups' d (4 to 30), so the median is the scale itself.
  const cut = o.outlierFactor * Math.max(1, median(perDof));
  let sum = 0;
  let dof = 0;
  for (const w of within) {
    if (w.chi / w.dof > cut) continue;
    sum += w.chi;
    dof += w.dof;
  }
  return dof > 0 ? Math.max(1, sum / dof) : 1;
}

/** Long-scale φ: the mean squared standardised successive difference, outliers aside and corrected. */
function longScale(groups: readonly Group[], rate: number, o: DispersionOptions): number {
  if (groups.length < o.minGroups) return 1;
  const squares: number[] = [];
  // Short groups are compared with the group after next, not the next: neighbours still share part
  // of a wander (about a tenth at 5 minutes for a 50-second correlation), which would shrink their
  // differences. Long groups are compared with the next: a slow trend must not look like noise.
  for (let i = 0; i < groups.length; i++) {
    const a = groups[i] as Group;
    const b = groups[i + (a.span >= 2 * o.groupMs ? 1 : 2)];
    if (b === undefined) break;
    const difference = a.errors / a.requests - b.errors / b.requests;
    squares.push((difference * difference) / (rate * (1 - rate) * (1 / a.requests + 1 / b.requests)));
  }
  const sorted = squares.sort((x, y) => x - y);
  // The scale behind the cut is at least 1: independent errors must never make the cut tighter.
  const cut = o.outlierFactor * Math.max(1, median(sorted) / CHI2_1_MEDIAN);
  let kept = 0;
  let sum = 0;
  for (const s of sorted) {
    if (s > cut) break;
    kept += 1;
    sum += s;
  }
  return Math.max(1, sum / kept / truncatedChiSquareMean(o.outlierFactor));
}

/** φ at both scales from the blocks (in time order). Pure; one pass plus two sorts. */
export function estimateDispersion(blocks: readonly BaselineBlock[], o: DispersionOptions = DEFAULT_DISPERSION_OPTIONS): DispersionEstimate {
  let requests = 0;
  let errors = 0;
  for (const b of blocks) {
    requests += b.requests;
    errors += b.errors;
  }
  const rate = requests > 0 ? errors / requests : 0;
  if (rate <= 0 || rate >= 1) return { short: 1, long: 1, groups: 0 };
  const groups = groupBlocks(blocks, rate, o).map((g) => withoutBurstMinute(g, rate));
  const short = shortScale(groups, rate, o);
  return { short, long: Math.max(short, longScale(groups, rate, o)), groups: groups.length < o.minGroups ? 0 : groups.length };
}

const MINUTE = 60_000;

/**
 * φ for evidence gathered over `horizonMs`: the short φ up to a minute, the long φ from the group
 * scale on, and in between interpolated in log time (a wandering rate's variance grows roughly
 * so between its correlation time's fractions and multiples).
 */
export function dispersionAtHorizon(d: { short: number; long: number }, horizonMs: number, groupMs = DEFAULT_DISPERSION_OPTIONS.groupMs): number {
  if (horizonMs <= MINUTE) return d.short;
  if (horizonMs >= groupMs) return d.long;
  return d.short + ((d.long - d.short) * Math.log(horizonMs / MINUTE)) / Math.log(groupMs / MINUTE);
}
