import { describe, expect, it } from 'vitest';
import { initialState, type TargetState } from '../../../src/domain/target-state.ts';
import { upgradeSavedState } from '../../../src/guard/runner/saved-state.ts';
import { SqliteStore } from '../../../src/store/sqlite-store.ts';

describe('states saved by earlier versions', () => {
  it('turn the old 30-minute window of baseline readings into the remembered baseline', async () => {
    const saved = {
      ...initialState('api', 0),
      phase: 'guarding',
      errorRate: { baselineSeries: {}, baselineWindow: [{ at: 60_000, requests: 100, errors: 1 }, { at: 120_000, requests: 200, errors: 3 }], guardSeries: {}, baseline: { requests: 300, errors: 4 }, consecutiveErrors: 0 },
    } as unknown as TargetState;
    const state = await upgradeSavedState(saved, new SqliteStore(':memory:'));
    expect(state.errorRate?.baselineHistory?.blocks.reduce((n, b) => n + b.requests, 0)).toBe(300);
    expect(state.errorRate).not.toHaveProperty('baselineWindow');
    expect(state.errorRate).not.toHaveProperty('baseline');
    expect(state.autoRollbacks).toEqual([]);
  });

  it('leave a current state as it is', async () => {
    const current = initialState('api', 0);
    expect(await upgradeSavedState(current, new SqliteStore(':memory:'))).toEqual(current);
  });
});
