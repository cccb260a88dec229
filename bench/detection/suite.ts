/**
 * The statistical suite as a library: cells → tasks → simulated deploys → per (cell, class) tallies.
 * Tasks can run here (in-process, for tests) or on worker threads (parallel.ts); both give the same
 * tallies, since a deploy depends only on (seed, cell, class, index).
 */
import { DEFAULT_ERROR_RATE_SPEC } from '../../src/analysis/error-rate.ts';
import { resolveErrorRateTestSpec, type ErrorRateTestSpec } from '../../src/analysis/error-rate-test-spec.ts';
import { buildCells, buildTasks, DEFAULT_SIZE, DEFAULT_TIMING, type Cell, type ReleaseClass, type SuiteSize, type Task, type Timing } from './cells.ts';
import { suiteDetectors } from './detectors.ts';
import { simulateDeploy } from './simulate.ts';

export interface SuiteOptions {
  seed: number;
  size: SuiteSize;
  timing: Timing;
  /** Only cells whose id, group or noise model is one of these (all when empty). */
  cellFilter: readonly string[];
}

export const DEFAULT_SUITE_OPTIONS: Readonly<SuiteOptions> = Object.freeze({ seed: 20_251_204, size: DEFAULT_SIZE, timing: DEFAULT_TIMING, cellFilter: [] });

/** The spec the suite runs ours with: the defaults, with the change horizon at the window. */
export function suiteSpec(timing: Timing): ErrorRateTestSpec {
  return resolveErrorRateTestSpec({ ...DEFAULT_ERROR_RATE_SPEC, changeHorizonMs: timing.windowSeconds * 1000 });
}

export const DETECTOR_NAMES: readonly string[] = suiteDetectors(suiteSpec(DEFAULT_TIMING)).map((d) => d.name);

/** What one task's deploys came to: plain data, so it crosses a worker boundary as is. */
export interface Tally {
  cellId: string;
  releaseClass: ReleaseClass;
  deploys: number;
  /** Per detector: seconds from onset to rollback of each deploy it rolled back (negative: before the onset). */
  detections: number[][];
  /** Per detector: deploys it was run on. */
  ran: number[];
  dispersionSum: number;
  shortDispersionSum: number;
  bursty: number;
  insufficientBaseline: number;
  boundMisses: number;
  preIssueBoundMisses: number;
}

export function selectCells(options: SuiteOptions): Cell[] {
  const cells = buildCells(options.size);
  const wanted = (c: Cell) => options.cellFilter.some((f) => f === c.id || f === c.group || f === c.noise);
  return options.cellFilter.length === 0 ? cells : cells.filter(wanted);
}

export function suiteTasks(options: SuiteOptions, chunk = 250): Task[] {
  return buildTasks(selectCells(options), chunk);
}

export function runTask(seed: number, task: Task, timing: Timing): Tally {
  const spec = suiteSpec(timing);
  const detectors = suiteDetectors(spec);
  const tally: Tally = {
    cellId: task.cell.id,
    releaseClass: task.releaseClass,
    deploys: 0,
    detections: detectors.map(() => []),
    ran: detectors.map(() => 0),
    dispersionSum: 0,
    shortDispersionSum: 0,
    bursty: 0,
    insufficientBaseline: 0,
    boundMisses: 0,
    preIssueBoundMisses: 0,
  };
  for (let i = task.from; i < task.to; i++) {
    const r = simulateDeploy(seed, task.cell, task.releaseClass, i, detectors, spec, timing);
    tally.deploys += 1;
    tally.dispersionSum += r.dispersion;
    tally.shortDispersionSum += r.shortDispersion;
    tally.bursty += r.bursty ? 1 : 0;
    tally.insufficientBaseline += r.insufficientBaseline ? 1 : 0;
    tally.boundMisses += r.boundMissed ? 1 : 0;
    tally.preIssueBoundMisses += r.preIssueBoundMissed ? 1 : 0;
    detectors.forEach((d, k) => {
      if (d.badOnly && task.releaseClass === 'healthy') return;
      tally.ran[k] = (tally.ran[k] ?? 0) + 1;
      const t = r.detectedAfter[k];
      if (t !== null && t !== undefined) tally.detections[k]?.push(t);
    });
  }
  return tally;
}

/** Sums tallies of the same (cell, class). */
export function mergeTallies(tallies: readonly Tally[]): Map<string, Tally> {
  const merged = new Map<string, Tally>();
  for (const t of tallies) {
    const key = `${t.cellId}|${t.releaseClass}`;
    const m = merged.get(key);
    if (m === undefined) {
      merged.set(key, { ...t, detections: t.detections.map((d) => d.slice()), ran: t.ran.slice() });
      continue;
    }
    m.deploys += t.deploys;
    m.dispersionSum += t.dispersionSum;
    m.shortDispersionSum += t.shortDispersionSum;
    m.bursty += t.bursty;
    m.insufficientBaseline += t.insufficientBaseline;
    m.boundMisses += t.boundMisses;
    m.preIssueBoundMisses += t.preIssueBoundMisses;
    t.detections.forEach((d, k) => m.detections[k]?.push(...d));
    t.ran.forEach((n, k) => (m.ran[k] = (m.ran[k] ?? 0) + n));
  }
  return merged;
}

/** Runs every task in this thread (tests, small runs). */
export function runSuiteInProcess(options: SuiteOptions): Map<string, Tally> {
  return mergeTallies(suiteTasks(options).map((t) => runTask(options.seed, t, options.timing)));
}
