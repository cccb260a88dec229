/**
 * What the statistical suite simulates: cells of (noise model, traffic, baseline rate, onset), each
 * with release classes and how many deploys of each. Plain data; a deploy is fixed by
 * (seed, cell, class, index) alone, so any one can be replayed and results do not depend on how the
 * work is split between workers.
 */

export type ReleaseClass = 'healthy' | 'errors-x5' | 'errors-x10' | 'hard-down';

export const MULTIPLIER: Readonly<Record<ReleaseClass, number>> = Object.freeze({
  healthy: 1,
  'errors-x5': 5,
  'errors-x10': 10,
  'hard-down': Number.POSITIVE_INFINITY,
});

export type CellGroup = 'standard' | 'low-traffic' | 'late-onset';

export interface Cell {
  id: string;
  group: CellGroup;
  noise: string;
  requestsPerSecond: number;
  /** The app's normal error rate: the previous release's and a healthy release's. */
  baselineRate: number;
  /** A bad release turns bad this long after its deploy (0: at once). */
  onsetSeconds: number;
  /**
   * Minutes of the stable release's own traffic the pre-issue detector had as its baseline: its
   * 30-minute window, or less when the deploy came that soon after the previous guard ended.
   */
  preIssueBaselineMinutes: number;
  deploys: Partial<Record<ReleaseClass, number>>;
}

export interface Timing {
  lookEverySeconds: number;
  /** The guard's maximum window: every healthy deploy is watched this long. */
  windowSeconds: number;
  /** The remembered baseline's history before the deploy. */
  historyHours: number;
}

export const DEFAULT_TIMING: Readonly<Timing> = Object.freeze({ lookEverySeconds: 5, windowSeconds: 30 * 60, historyHours: 24 });

export interface SuiteSize {
  healthy: number;
  bad: number;
  hardDown: number;
}

export const DEFAULT_SIZE: Readonly<SuiteSize> = Object.freeze({ healthy: 10_000, bad: 1_000, hardDown: 200 });

const STANDARD_NOISE = ['independent', 'wandering', 'bursts-30', 'bursts-100', 'drift', 'combined', 'combined+outages'];
const STANDARD_TRAFFIC = [1, 20, 200];

/** Every cell of the suite, in report order. */
export function buildCells(size: SuiteSize): Cell[] {
  const cells: Cell[] = [];
  const all = { healthy: size.healthy, 'errors-x5': size.bad, 'errors-x10': size.bad, 'hard-down': size.hardDown };
  for (const noise of STANDARD_NOISE) {
    for (const rps of STANDARD_TRAFFIC) {
      cells.push({ id: `${noise}@${rps}`, group: 'standard', noise, requestsPerSecond: rps, baselineRate: 0.01, onsetSeconds: 0, preIssueBaselineMinutes: 30, deploys: all });
    }
  }
  const low = { healthy: size.healthy, 'errors-x5': size.bad, 'errors-x10': size.bad };
  for (const noise of ['independent', 'combined']) {
    // 0.1 rps with its full 30-minute window; 0.5 and 1 rps deployed 5 minutes after the previous guard ended.
    const lows: [number, number, number][] = [[0.1, 0.03, 30], [0.5, 0.03, 5], [1, 0.02, 5]];
    for (const [rps, rate, minutes] of lows) {
      cells.push({ id: `low ${noise}@${rps}`, group: 'low-traffic', noise, requestsPerSecond: rps, baselineRate: rate, onsetSeconds: 0, preIssueBaselineMinutes: minutes, deploys: low });
    }
  }
  for (const noise of ['independent', 'combined']) {
    for (const rps of [20, 200]) {
      const late = { 'errors-x5': size.bad, 'errors-x10': size.bad };
      cells.push({ id: `late ${noise}@${rps}`, group: 'late-onset', noise, requestsPerSecond: rps, baselineRate: 0.01, onsetSeconds: 300, preIssueBaselineMinutes: 30, deploys: late });
    }
  }
  return cells;
}

/** A unit of work: deploys [from, to) of one class of one cell. */
export interface Task {
  cell: Cell;
  releaseClass: ReleaseClass;
  from: number;
  to: number;
}

/** The suite cut into tasks of at most `chunk` deploys, largest cells first (better load balance). */
export function buildTasks(cells: readonly Cell[], chunk: number): Task[] {
  const tasks: Task[] = [];
  for (const cell of cells) {
    for (const [cls, count] of Object.entries(cell.deploys) as [ReleaseClass, number][]) {
      for (let from = 0; from < count; from += chunk) tasks.push({ cell, releaseClass: cls, from, to: Math.min(count, from + chunk) });
    }
  }
  return tasks.sort((a, b) => b.cell.requestsPerSecond * (b.to - b.from) - a.cell.requestsPerSecond * (a.to - a.from));
}
