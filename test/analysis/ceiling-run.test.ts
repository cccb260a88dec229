import { describe, expect, it } from 'vitest';
import { advanceCeilingRun, ceilingBreached, NO_CEILING_RUN } from '../../src/analysis/ceiling-run.ts';
import { type CeilingRun } from '../../src/domain/error-rate-evidence.ts';

const rule = { ceiling: 0.5, ceilingPersistenceMs: 30_000, minRequestsForCeiling: 20 };

/** Looks every 5 s from t = 0, each (requests, errors); whether the run breached after each. */
function replay(looks: [number, number][]): boolean[] {
  let run: CeilingRun = NO_CEILING_RUN;
  return looks.map(([requests, errors], i) => {
    run = advanceCeilingRun(run, { from: i * 5000, at: (i + 1) * 5000, requests, errors }, rule);
    return ceilingBreached(run, (i + 1) * 5000, rule);
  });
}

describe('the ceiling needs persistence', () => {
  it.each<[string, [number, number][], boolean[]]>([
    ['one look at 100% (a 5-second blip)', [[100, 100], [100, 1]], [false, false]],
    ['a 10-second dependency outage', [[100, 100], [100, 100], [100, 1], [100, 1]], [false, false, false, false]],
    ['a release down for 30 s', Array(6).fill([100, 100]), [false, false, false, false, false, true]],
    ['exactly at the ceiling is not above it', Array(7).fill([100, 50]), Array(7).fill(false)],
    ['down, but too few requests until the run has 20', Array(8).fill([3, 3]), [false, false, false, false, false, false, true, true]],
    ['a healthy look breaks the run', [[100, 100], [100, 100], [100, 100], [100, 1], [100, 100], [100, 100], [100, 100]], Array(7).fill(false)],
    ['a look without requests neither breaks nor extends it', [[100, 100], [100, 100], [0, 0], [100, 100], [100, 100], [100, 100]], [false, false, false, false, false, true]],
  ])('%s', (_label, looks, breached) => {
    expect(replay(looks)).toEqual(breached);
  });
});
