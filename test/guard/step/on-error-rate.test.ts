import { describe, expect, it } from 'vitest';
import type { ResolvedTarget } from '../../../src/config/resolve.ts';
import { initialState, type TargetState } from '../../../src/domain/target-state.ts';
import type { GuardEvent, StepResult } from '../../../src/guard/step/context.ts';
import { step } from '../../../src/guard/step/step.ts';
import { context, kinds, nothing, run as runStep } from './run.ts';
import type { CounterReadout } from '../../../src/domain/measurement.ts';
import { errorRate, release, target as base } from './fixtures.ts';

const target: ResolvedTarget = {
  ...base,
  guard: { ...base.guard, watchWindow: 60_000 },
  errorRate,
};
const T0 = 1_000_000;
const history = [release(2), release(1, { verdict: 'good' })];

const run = (state: TargetState, event: GuardEvent, now: number): StepResult => runStep(state, event, now, history, { target });

const reading = (requests: number, errors: number, at = 0): CounterReadout => ({ ok: true, at, readings: [{ series: 'm1', requests, errors }], detail: '' });

/** Stable on v1 with 1000 requests / 5 errors of baseline, then v2 detected and guarded. */
function guardedAfterBaseline(): TargetState {
  let s: TargetState = { ...initialState('api', T0), phase: 'stable', lastSeenVersion: 1 };
  s = run(s, { type: 'counters', readout: reading(0, 0) }, T0).state;
  s = run(s, { type: 'counters', readout: reading(1000, 5) }, T0 + 60_000).state;
  return run(s, { type: 'releases', releases: history }, T0 + 61_000).state;
}

describe('error rate inside the guard', () => {
  it('keeps the stable release’s traffic as the baseline and freezes it when a guard starts', () => {
    const s = guardedAfterBaseline();
    expect(s.phase).toBe('guarding');
    expect(s.errorRate).toMatchObject({ baseline: { requests: 1000, errors: 5 }, baselineWindow: [] });
  });

  it('leaves readings taken after the new release was created out of the baseline', () => {
    let s: TargetState = { ...initialState('api', T0), phase: 'stable', lastSeenVersion: 1 };
    s = run(s, { type: 'counters', readout: reading(0, 0) }, T0).state;
    s = run(s, { type: 'counters', readout: reading(1000, 5) }, T0 + 60_000).state;
    // v2 is created at T0 + 70 s and rolls out; the next reading already carries its errors.
    s = run(s, { type: 'counters', readout: reading(1100, 45) }, T0 + 75_000).state;
    const v2 = release(2, { createdAt: T0 + 70_000 });
    const ctx = context(T0 + 76_000, [v2, release(1, { verdict: 'good' })], { target });
    const guarded = step(s, { type: 'releases', releases: ctx.history }, ctx).state;
    expect(guarded.errorRate?.baseline).toEqual({ requests: 1000, errors: 5 });
    // First seen long after it was created: every reading is newer, so all of them are the baseline.
    const late = step(s, { type: 'releases', releases: [release(2, { createdAt: T0 - 1 }), release(1, { verdict: 'good' })] }, ctx).state;
    expect(late.errorRate?.baseline).toEqual({ requests: 1100, errors: 45 });
  });

  it('fails the release when the sequential test proves the rate too high, with the numbers kept', () => {
    let s = guardedAfterBaseline();
    s = run(s, { type: 'counters', readout: reading(1100, 15) }, T0 + 70_000).state; // 10/100: not enough yet
    expect(s.phase).toBe('guarding');
    const r = run(s, { type: 'counters', readout: reading(1300, 45) }, T0 + 80_000); // 40/300 since the deploy
    expect(r.state.phase).toBe('rolling-back');
    expect(kinds(r)).toEqual(['release-failed', 'rollback-started']);
    const failed = r.decisions.find((d) => d.kind === 'release-failed');
    if (failed?.kind !== 'release-failed') throw new Error('no release-failed decision');
    expect(failed.measurements[0]).toMatchObject({ check: 'error-rate', values: { requests: 300, errors: 40 } });
    const values = failed.measurements[0]!.values as Record<string, number>;
    expect(values.logStatistic).toBeGreaterThanOrEqual(values.logBoundary!);
  });

  it('a source that cannot be read is never a failure', () => {
    let s = guardedAfterBaseline();
    for (let i = 1; i <= 10; i++) s = run(s, { type: 'counters', readout: { ok: false, phase: 'error', at: 0, detail: 'connection refused' } }, T0 + 61_000 + i * 5000).state;
    expect(s.phase).toBe('guarding');
    expect(s.errorRate?.consecutiveErrors).toBe(10);
  });

  it('too little traffic extends the guard up to maxWindow, then judges on the probes', () => {
    let s = guardedAfterBaseline();
    s = run(s, { type: 'counters', readout: reading(1010, 5) }, T0 + 70_000).state; // 10 requests only
    const atWindowEnd = run(s, { type: 'tick' }, T0 + 61_000 + 60_000);
    expect(atWindowEnd.state.phase).toBe('guarding');
    expect(kinds(atWindowEnd)).toEqual(['insufficient-evidence']);
    expect(nothing(run(atWindowEnd.state, { type: 'tick' }, T0 + 130_000))).toBe(true); // said once
    const atMax = run(atWindowEnd.state, { type: 'tick' }, T0 + 61_000 + 180_000);
    expect(atMax.state.phase).toBe('stable');
    expect(atMax.writes).toContainEqual(expect.objectContaining({ type: 'set-verdict', version: 2, verdict: 'good', reason: expect.stringMatching(/insufficient evidence/) }));
  });

  it('ends the extension as soon as the evidence is enough', () => {
    let s = guardedAfterBaseline();
    s = run(s, { type: 'counters', readout: reading(1010, 5) }, T0 + 70_000).state;
    s = run(s, { type: 'tick' }, T0 + 121_000).state;
    s = run(s, { type: 'counters', readout: reading(1400, 6) }, T0 + 130_000).state; // 400 requests, 1 error
    const r = run(s, { type: 'tick' }, T0 + 131_000);
    expect(r.state.phase).toBe('stable');
    expect(r.writes).toContainEqual(expect.objectContaining({ type: 'set-verdict', verdict: 'good' }));
  });

  it('does not trust a release whose rate stayed above the threshold without becoming significant', () => {
    let s = guardedAfterBaseline();
    s = run(s, { type: 'counters', readout: reading(1060, 10) }, T0 + 70_000).state; // 5/60 ≈ 8% vs a 3.7% threshold: high, not proven
    expect(s.errorRate?.last?.reason).toBe('above-threshold-unconfirmed');
    const r = run(s, { type: 'tick' }, T0 + 61_000 + 180_000);
    expect(r.writes).toContainEqual(expect.objectContaining({ type: 'set-verdict', verdict: 'unknown' }));
  });
});
