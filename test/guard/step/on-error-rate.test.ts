import { describe, expect, it } from 'vitest';
import type { ResolvedTarget } from '../../../src/config/resolve.ts';
import type { CounterReadout } from '../../../src/domain/measurement.ts';
import { initialState, type TargetState } from '../../../src/domain/target-state.ts';
import type { GuardEvent, StepResult } from '../../../src/guard/step/context.ts';
import { step } from '../../../src/guard/step/step.ts';
import { errorRate, release, round, target as base } from './fixtures.ts';
import { context, kinds, nothing, run as runStep, verdicts } from './run.ts';

// A baseline of 10 minutes is enough here (production asks for an hour: minBaselineSpan).
const target: ResolvedTarget = {
  ...base,
  guard: { ...base.guard, watchWindow: 60_000, minConclusiveRounds: 0 },
  errorRate: { ...errorRate, minBaselineSpan: 5 * 60_000 },
};
const T0 = 10_000_000;
const MINUTE = 60_000;
const history = [release(2, { createdAt: T0 + 10 * MINUTE }), release(1, { verdict: 'good' })];

const run = (state: TargetState, event: GuardEvent, now: number, t = target): StepResult => runStep(state, event, now, history, { target: t });
const reading = (requests: number, errors: number, at = 0): CounterReadout => ({ ok: true, at, readings: [{ series: 'm1', requests, errors }], detail: '' });

/** Stable on v1 for 10 minutes at 100 requests and 1 error a minute, then v2 detected and guarded. */
function guardedAfterBaseline(t = target): TargetState {
  let s: TargetState = { ...initialState('api', T0), phase: 'stable', lastSeenVersion: 1 };
  for (let m = 0; m <= 10; m++) s = run(s, { type: 'counters', readout: reading(100 * m, m) }, T0 + m * MINUTE, t).state;
  return run(s, { type: 'releases', releases: history }, T0 + 10 * MINUTE + 1_000, t).state;
}
const G0 = T0 + 10 * MINUTE + 1_000;

describe('error rate inside the guard', () => {
  it('remembers the stable release’s traffic in blocks and freezes a summary of it when a guard starts', () => {
    const s = guardedAfterBaseline();
    expect(s.phase).toBe('guarding');
    // A reading belongs to the minute block it was taken in: the one taken as v2 was created is left out.
    expect(s.errorRate?.guard?.baseline).toMatchObject({ requests: 900, errors: 9 });
    expect(s.errorRate?.guard?.baseline).not.toHaveProperty('insufficient');
    expect(s.errorRate?.baselineHistory?.blocks.reduce((n, b) => n + b.requests, 0)).toBe(1000); // kept, not thrown away
  });

  it('leaves readings taken after the new release was created out of the baseline', () => {
    let s: TargetState = { ...initialState('api', T0), phase: 'stable', lastSeenVersion: 1 };
    for (let m = 0; m <= 10; m++) s = run(s, { type: 'counters', readout: reading(100 * m, m) }, T0 + m * MINUTE).state;
    // v2 is created 10 minutes in and rolls out; the next reading already carries its errors.
    s = run(s, { type: 'counters', readout: reading(1100, 51) }, T0 + 11 * MINUTE).state;
    const ctx = context(T0 + 11 * MINUTE + 1_000, history, { target });
    expect(step(s, { type: 'releases', releases: history }, ctx).state.errorRate?.guard?.baseline).toMatchObject({ requests: 900, errors: 9 });
  });

  it('judges by the minute the release was created in when the minutes before it are too few', () => {
    // First start: a few seconds of traffic in the minute before, the real baseline in the minute
    // v2 was created in. Left out, that minute would leave a baseline too small to judge by.
    const A = Math.ceil(T0 / MINUTE) * MINUTE;
    const t: ResolvedTarget = { ...target, errorRate: { ...errorRate, minBaselineSpan: MINUTE } };
    const releases = [release(2, { createdAt: A + 100_000 }), release(1, { verdict: 'good' })];
    let s: TargetState = { ...initialState('api', T0), phase: 'stable', lastSeenVersion: 1 };
    const steps: [number, CounterReadout][] = [[A + 10_000, reading(0, 0)], [A + 50_000, reading(50, 0)], [A + 70_000, reading(350, 3)], [A + 100_000, reading(750, 7)]];
    for (const [at, readout] of steps) s = runStep(s, { type: 'counters', readout }, at, releases, { target: t }).state;
    const guarded = runStep(s, { type: 'releases', releases }, A + 101_000, releases, { target: t }).state;
    expect(guarded.errorRate?.guard?.baseline).toMatchObject({ requests: 750, errors: 7 });
    expect(guarded.errorRate?.guard?.baseline).not.toHaveProperty('insufficient');
  });

  it('fails the release when the test proves the rate too high, with the numbers kept', () => {
    let s = guardedAfterBaseline();
    let r: StepResult | undefined;
    for (let i = 1; i <= 12 && s.phase === 'guarding'; i++) {
      r = run(s, { type: 'counters', readout: reading(1000 + 100 * i, 10 + 20 * i) }, G0 + i * 5_000); // 20% errors against 1%
      s = r.state;
    }
    expect(s.phase).toBe('rolling-back');
    expect(kinds(r!)).toEqual(['release-failed', 'rollback-started']);
    const failed = r!.decisions.find((d) => d.kind === 'release-failed');
    if (failed?.kind !== 'release-failed') throw new Error('no release-failed decision');
    const values = failed.measurements[0]!.values as Record<string, number>;
    expect(failed.measurements[0]).toMatchObject({ check: 'error-rate' });
    expect(values.logStatistic).toBeGreaterThanOrEqual(values.logBoundary!);
  });

  it('one look of a burst cannot decide alone', () => {
    const s = guardedAfterBaseline();
    const r = run(s, { type: 'counters', readout: reading(1100, 110) }, G0 + 5_000); // 100% errors for one look
    expect(r.state.phase).toBe('guarding');
  });

  it('a source that cannot be read is never a failure', () => {
    let s = guardedAfterBaseline();
    for (let i = 1; i <= 10; i++) s = run(s, { type: 'counters', readout: { ok: false, phase: 'error', at: 0, detail: 'connection refused' } }, G0 + i * 5000).state;
    expect(s.phase).toBe('guarding');
    expect(s.errorRate?.consecutiveErrors).toBe(10);
  });

  it('too little traffic extends the guard up to maxWindow, then ends it unproven: not a rollback target', () => {
    let s = guardedAfterBaseline();
    s = run(s, { type: 'counters', readout: reading(1010, 10) }, G0 + 10_000).state; // 10 requests only
    const atWindowEnd = run(s, { type: 'tick' }, G0 + 60_000);
    expect(atWindowEnd.state.phase).toBe('guarding');
    expect(kinds(atWindowEnd)).toEqual(['insufficient-evidence']);
    expect(nothing(run(atWindowEnd.state, { type: 'tick' }, G0 + 70_000))).toBe(true); // said once
    const atMax = run(atWindowEnd.state, { type: 'tick' }, G0 + 180_000);
    expect(atMax.state.phase).toBe('stable');
    expect(verdicts(atMax)).toEqual(['v2:unproven']);
    expect(kinds(atMax)).toEqual(['guard-unproven']);
    expect(atMax.effects).toContainEqual({ type: 'notify', event: expect.objectContaining({ kind: 'release-unproven', release: expect.objectContaining({ version: 2 }) }) });
  });

  it('a target that opts out of requiring traffic is judged on its probes', () => {
    const optOut: ResolvedTarget = { ...target, errorRate: { ...target.errorRate!, requireTraffic: false } };
    const s = guardedAfterBaseline(optOut);
    const atMax = run(run(s, { type: 'tick' }, G0 + 60_000, optOut).state, { type: 'tick' }, G0 + 180_000, optOut);
    expect(verdicts(atMax)).toEqual(['v2:good']);
  });

  it('ends the extension as soon as the evidence is enough, and the release’s traffic joins the baseline', () => {
    let s = guardedAfterBaseline();
    s = run(s, { type: 'counters', readout: reading(1010, 10) }, G0 + 10_000).state;
    s = run(s, { type: 'tick' }, G0 + 60_000).state;
    s = run(s, { type: 'counters', readout: reading(1400, 11) }, G0 + 70_000).state; // 400 requests, 1 error
    const r = run(s, { type: 'tick' }, G0 + 71_000);
    expect(r.state.phase).toBe('stable');
    expect(verdicts(r)).toEqual(['v2:good']);
    expect(r.state.errorRate?.baselineHistory?.blocks.reduce((n, b) => n + b.requests, 0)).toBe(1400);
  });

  it('does not trust a release whose rate stayed above the threshold without becoming significant, even opted out', () => {
    const optOut: ResolvedTarget = { ...target, errorRate: { ...target.errorRate!, requireTraffic: false } };
    let s = guardedAfterBaseline(optOut);
    s = run(s, { type: 'counters', readout: reading(1060, 14) }, G0 + 10_000, optOut).state; // 4/60 ≈ 7% vs a few %: high, not proven
    expect(s.errorRate?.last?.reason).toBe('above-threshold-unconfirmed');
    const r = run(run(s, { type: 'tick' }, G0 + 60_000, optOut).state, { type: 'tick' }, G0 + 180_000, optOut);
    expect(verdicts(r)).toEqual(['v2:unproven']);
  });

  it('a release whose probes were never conclusive ends unproven', () => {
    const needsRounds: ResolvedTarget = { ...target, guard: { ...target.guard, minConclusiveRounds: 3 }, errorRate: { ...target.errorRate!, requireTraffic: false } };
    let s = guardedAfterBaseline(needsRounds);
    for (let i = 1; i <= 5; i++) s = run(s, { type: 'probe-round', measurements: round('inconclusive', G0 + i * 5_000, ['health', 'ready']) }, G0 + i * 5_000, needsRounds).state;
    const r = run(run(s, { type: 'tick' }, G0 + 60_000, needsRounds).state, { type: 'tick' }, G0 + 180_000, needsRounds);
    expect(verdicts(r)).toEqual(['v2:unproven']);
    expect(r.decisions[0]).toMatchObject({ kind: 'guard-unproven', reason: expect.stringContaining('too few conclusive probe rounds (health 0, ready 0; 3 needed)') });
  });

  it('starts θ from the rate at the current load when the stable traffic shows the rate following it', () => {
    // Two hours of stable traffic whose load swings ±50 % and whose error rate follows it; v2 is
    // created at the trough. thresholdFollowsLoad (on by default) puts θ below the day's.
    const created = T0 + 120 * MINUTE;
    const releases = [release(2, { createdAt: created }), release(1, { verdict: 'good' })];
    const load = (m: number) => 1 + 0.5 * Math.sin((2 * Math.PI * (m - 120)) / 120 - Math.PI / 2);
    const guardedAtTrough = (t: ResolvedTarget) => {
      let s: TargetState = { ...initialState('api', T0), phase: 'stable', lastSeenVersion: 1 };
      let requests = 0;
      let owed = 0;
      let errors = 0;
      for (let m = 0; m <= 120; m++) {
        s = runStep(s, { type: 'counters', readout: reading(requests, errors) }, T0 + m * MINUTE, releases, { target: t }).state;
        const served = Math.round(1000 * load(m));
        owed += served * 0.02 * load(m);
        requests += served;
        errors += Math.floor(owed);
        owed -= Math.floor(owed);
      }
      return runStep(s, { type: 'releases', releases }, created + 1_000, releases, { target: t }).state.errorRate?.guard?.baseline;
    };
    const atLoad = guardedAtTrough(target);
    const fromDay = guardedAtTrough({ ...target, errorRate: { ...target.errorRate!, thresholdFollowsLoad: false } });
    expect(atLoad?.rateAtLoad?.loadRatio).toBeLessThan(0.8);
    expect(atLoad?.rateAtLoad?.slope).toBeGreaterThan(0.8);
    expect(fromDay).not.toHaveProperty('rateAtLoad');
    expect(atLoad!.threshold!).toBeLessThan(0.8 * fromDay!.threshold!);
  });
});
