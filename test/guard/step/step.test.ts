import { describe, expect, it } from 'vitest';
import { initialState, type ReleaseView, type TargetState } from '../../../src/domain/target-state.ts';
import type { StepResult } from '../../../src/guard/step/context.ts';
import { deploys, kinds, nothing, run, verdicts } from './run.ts';
import { image, release, round } from './fixtures.ts';

const T0 = 1_000_000;

/** v1 good, then v2 deployed and being guarded. */
function guardingV2(): { state: TargetState; history: ReleaseView[] } {
  const history = [release(2), release(1, { verdict: 'good' })];
  const { state } = run({ ...initialState('api', T0), lastSeenVersion: 1, phase: 'stable' }, { type: 'releases', releases: history }, T0, history);
  return { state, history };
}

function failRounds(state: TargetState, n: number, history: ReleaseView[]): StepResult {
  let result: StepResult = { state, decisions: [], writes: [], effects: [] };
  for (let i = 0; i < n; i++) result = run(result.state, { type: 'probe-round', measurements: round('failed') }, T0 + (i + 1) * 5000, history);
  return result;
}

describe('step: detecting releases', () => {
  it('guards the running release on first start', () => {
    const { state, ...r0 } = run(initialState('api', T0), { type: 'releases', releases: [release(1)] }, T0);
    expect(state.phase).toBe('guarding');
    expect(state.guard).toMatchObject({ release: { version: 1 }, startedAt: T0, endsAt: T0 + 60_000 });
    expect(kinds(r0)).toEqual(['guard-started']);
  });

  it('waits while the platform is still rolling a release out', () => {
    const start = { ...initialState('api', T0), phase: 'stable' as const, lastSeenVersion: 1 };
    const { state, ...r0 } = run(start, { type: 'releases', releases: [release(2, { status: 'running' }), release(1)] }, T0);
    expect(state.phase).toBe('stable');
    expect(state.lastSeenVersion).toBe(1);
    expect(nothing(r0)).toBe(true);
  });

  it('ignores a list with nothing new', () => {
    const { state } = guardingV2();
    const again = run(state, { type: 'releases', releases: [release(2), release(1)] }, T0 + 1000);
    expect(again.state.guard).toEqual(state.guard);
    expect(nothing(again)).toBe(true);
  });

  it('when a newer release lands mid-guard then the old guard ends without a verdict', () => {
    const { state } = guardingV2();
    const { state: next, ...r0 } = run(state, { type: 'releases', releases: [release(3), release(2), release(1)] }, T0 + 10_000);
    expect(next.guard?.release.version).toBe(3);
    expect(verdicts(r0)).toEqual(['v2:unknown']);
    expect(kinds(r0)).toEqual(['guard-superseded', 'guard-started']);
  });

  it('when two releases landed between polls then only the newest is guarded', () => {
    const start = { ...initialState('api', T0), phase: 'stable' as const, lastSeenVersion: 1 };
    const { state, ...r0 } = run(start, { type: 'releases', releases: [release(3), release(2), release(1)] }, T0);
    expect(state.guard?.release.version).toBe(3);
    expect(verdicts(r0)).toEqual(['v2:unknown']);
  });
});

describe('step: judging a guarded release', () => {
  it('ends unproven, not good, when the probes answered too few rounds', () => {
    const { state, history } = guardingV2();
    const once = run(state, { type: 'probe-round', measurements: round('successful') }, T0 + 5000, history);
    const done = run(once.state, { type: 'tick' }, T0 + 60_000, history);
    expect(verdicts(done)).toEqual(['v2:unproven']);
  });

  it('marks the release good once the window passes without a failure', () => {
    const { state, history } = guardingV2();
    let ok = run(state, { type: 'probe-round', measurements: round('successful') }, T0 + 5000, history);
    for (let i = 2; i <= 3; i++) ok = run(ok.state, { type: 'probe-round', measurements: round('successful') }, T0 + i * 5000, history); // minConclusiveRounds
    const early = run(ok.state, { type: 'tick' }, T0 + 59_999, history);
    expect(early.state.phase).toBe('guarding');
    const done = run(early.state, { type: 'tick' }, T0 + 60_000, history);
    expect(done.state.phase).toBe('stable');
    expect(verdicts(done)).toEqual(['v2:good']);
  });

  describe('an operator marks the guarded release', () => {
    const mark = (verdict: 'good' | 'bad') => ({ type: 'mark' as const, by: 'alice', version: 2, verdict });

    it('good, then the window ends without evidence: the operator\'s good stands, not unproven', () => {
      const { state, history } = guardingV2();
      const marked = run(state, mark('good'), T0 + 1000, history);
      expect(verdicts(marked)).toEqual(['v2:good']);
      expect(marked.state.phase).toBe('guarding');
      const done = run(marked.state, { type: 'tick' }, T0 + 60_000, history);
      expect(kinds(done)).toEqual(['guard-unproven']);
      expect(verdicts(done)).toEqual(['v2:good']);
      expect(done.writes[0]).toMatchObject({ reason: expect.stringMatching(/^marked good by alice during its guard/) });
      expect(done.decisions[0]).toMatchObject({ operatorVerdict: { verdict: 'good', by: 'alice' } });
      // The operator vouched for it: no "release unproven" notice asks them to.
      expect(done.effects.filter((e) => e.type === 'notify')).toEqual([]);
    });

    it('bad, then the guard passes: the operator\'s bad stands, not good', () => {
      const { state, history } = guardingV2();
      let r = run(state, mark('bad'), T0 + 1000, history);
      for (let i = 1; i <= 3; i++) r = run(r.state, { type: 'probe-round', measurements: round('successful') }, T0 + i * 5000, history);
      const done = run(r.state, { type: 'tick' }, T0 + 60_000, history);
      expect(kinds(done)).toEqual(['guard-passed']);
      expect(verdicts(done)).toEqual(['v2:bad']);
    });

    it('good, then aborted or superseded: the operator\'s good stands', () => {
      const { state, history } = guardingV2();
      const marked = run(state, mark('good'), T0 + 1000, history);
      expect(verdicts(run(marked.state, { type: 'abort', by: 'bob' }, T0 + 2000, history))).toEqual(['v2:good']);
      const newer = run(marked.state, { type: 'releases', releases: [release(3), ...history] }, T0 + 2000, history);
      expect(verdicts(newer)).toEqual(['v2:good']);
    });

    it('good, then it fails its probes: the new evidence wins and it is rolled back', () => {
      const { state, history } = guardingV2();
      const marked = run(state, mark('good'), T0 + 1000, history);
      const r = failRounds(marked.state, 3, history);
      expect(r.state.phase).toBe('rolling-back');
      expect(verdicts(r)).toEqual(['v2:bad']);
    });

    it('an earlier release: the guard is not touched', () => {
      const { state, history } = guardingV2();
      const marked = run(state, { type: 'mark', by: 'alice', version: 1, verdict: 'bad' }, T0 + 1000, history);
      expect(marked.state.guard).toEqual(state.guard);
    });
  });

  it('does not mark good a release the platform reported as failed, though machines ran it', () => {
    const history = [release(2, { status: 'failed', live: true }), release(1, { verdict: 'good' })];
    const { state } = run({ ...initialState('api', T0), lastSeenVersion: 1 }, { type: 'releases', releases: history }, T0, history);
    expect(state.phase).toBe('guarding');
    const done = run(state, { type: 'tick' }, T0 + 60_000, history);
    expect(verdicts(done)).toEqual(['v2:unknown']);
  });

  it('one or two failed rounds (a blip) do not fail the release', () => {
    const { state, history } = guardingV2();
    let r = failRounds(state, 2, history);
    r = run(r.state, { type: 'probe-round', measurements: round('successful') }, T0 + 15_000, history);
    r = failRounds(r.state, 2, history);
    expect(r.state.phase).toBe('guarding');
    expect(deploys(r)).toEqual([]);
  });

  it('failureThreshold consecutive failures fail it and roll back to the last good image', () => {
    const { state, history } = guardingV2();
    const r = failRounds(state, 3, history);
    expect(r.state.phase).toBe('rolling-back');
    expect(verdicts(r)).toEqual(['v2:bad']);
    expect(deploys(r)).toEqual([{ type: 'deploy', imageRef: image(1), toVersion: 1 }]);
    expect(r.state.rollback).toMatchObject({ from: { version: 2 }, to: { version: 1 }, attempts: 1, issuedAt: T0 + 15_000 });
    expect(kinds(r)).toEqual(['release-failed', 'rollback-started']);
    expect(r.state.autoRollbacks).toEqual([T0 + 15_000]);
  });

  it('holds, deploying nothing, when no known-good release exists', () => {
    const history = [release(2), release(1, { verdict: 'unknown' })];
    const { state } = run({ ...initialState('api', T0), lastSeenVersion: 1 }, { type: 'releases', releases: history }, T0, history);
    const r = failRounds(state, 3, history);
    expect(r.state.phase).toBe('held');
    expect(r.state.reason).toMatch(/no known-good/);
    expect(deploys(r)).toEqual([]);
  });
});

describe('step: the rollback', () => {
  function rollingBack() {
    const { state, history } = guardingV2();
    return { state: failRounds(state, 3, history).state, history };
  }

  it('recognises its own rollback release and does not guard it', () => {
    const { state, history } = rollingBack();
    const list = [release(3, { imageRef: image(1), status: 'running' }), release(2, { verdict: 'bad' }), release(1, { verdict: 'good' })];
    const r = run(state, { type: 'releases', releases: list }, T0 + 20_000, history, { deployInFlight: true });
    expect(r.state.phase).toBe('rolling-back');
    expect(r.state.rollback?.rollbackVersion).toBe(3);
    expect(r.writes).toContainEqual({ type: 'set-origin', version: 3, origin: 'rollback' });
    expect(kinds(r)).toEqual(['rollback-release-seen']);
  });

  it('marks its rollback release even when the deploy reported it before any poll stored it', () => {
    const { state, history } = rollingBack();
    let r = run(state, { type: 'deploy-result', ok: true, version: 3 }, T0 + 30_000, history);
    r = run(r.state, { type: 'releases', releases: [release(3, { imageRef: image(1) }), release(2, { verdict: 'bad' }), release(1)] }, T0 + 31_000, history);
    expect(r.writes).toContainEqual({ type: 'set-origin', version: 3, origin: 'rollback' });
    expect(r.state.phase).toBe('verifying');
  });

  it('gives a rollback release that was verified before it was first listed its verdict when it appears', () => {
    const { state, history } = rollingBack();
    let r = run(state, { type: 'deploy-result', ok: true, version: 3 }, T0 + 30_000, history);
    r = run(r.state, { type: 'probe-round', measurements: round('successful') }, T0 + 35_000, history);
    r = run(r.state, { type: 'probe-round', measurements: round('successful') }, T0 + 40_000, history);
    expect(r.state.phase).toBe('rolled-back');
    r = run(r.state, { type: 'releases', releases: [release(3, { imageRef: image(1) }), release(2, { verdict: 'bad' }), release(1)] }, T0 + 41_000, history);
    expect(r.writes).toContainEqual({ type: 'set-origin', version: 3, origin: 'rollback' });
    expect(verdicts(r)).toEqual(['v3:good']);
  });

  it('verifies after the deploy, then settles rolled-back and marks the rollback release good', () => {
    const { state, history } = rollingBack();
    let r = run(state, { type: 'deploy-result', ok: true, version: 3 }, T0 + 30_000, history);
    expect(r.state.phase).toBe('verifying');
    expect(r.state.rollback?.verifyEndsAt).toBe(T0 + 60_000);
    r = run(r.state, { type: 'probe-round', measurements: round('successful') }, T0 + 35_000, history);
    expect(r.state.phase).toBe('verifying');
    r = run(r.state, { type: 'probe-round', measurements: round('successful') }, T0 + 40_000, history);
    expect(r.state.phase).toBe('rolled-back');
    expect(verdicts(r)).toEqual(['v3:good']);
    expect(r.state.lastSeenVersion).toBe(3);
  });

  it('does not call a rollback verified while a machine runs another image', () => {
    const { state, history } = rollingBack();
    let r = run(state, { type: 'deploy-result', ok: true, version: 3 }, T0 + 30_000, history);
    for (let i = 1; i <= 4; i++) {
      r = run(r.state, { type: 'probe-round', measurements: [...round('successful', 0, ['health', 'ready']), ...round('failed', 0, ['machines-on-image'])] }, T0 + 30_000 + i * 5000, history);
    }
    expect(r.state.phase).toBe('verifying');
    r = run(r.state, { type: 'tick' }, T0 + 60_000, history);
    expect(r.state.phase).toBe('rollback-failed');
    expect(r.state.reason).toMatch(/machines-on-image/);
  });

  it('fails the rollback when verification times out', () => {
    const { state, history } = rollingBack();
    let r = run(state, { type: 'deploy-result', ok: true, version: 3 }, T0 + 30_000, history);
    r = run(r.state, { type: 'probe-round', measurements: round('failed') }, T0 + 35_000, history);
    r = run(r.state, { type: 'tick' }, T0 + 60_000, history);
    expect(r.state.phase).toBe('rollback-failed');
    expect(r.state.reason).toMatch(/did not verify/);
    expect(verdicts(r)).toEqual(['v3:bad']);
  });

  it('retries a failed deploy with backoff, then fails the rollback after deployAttempts, never deploying again', () => {
    const { state, history } = rollingBack();
    const fail = { type: 'deploy-result', ok: false, error: 'fly deploy exited 1' } as const;
    // As the runner does: every poll lists releases while a rollback is out; this one shows none of ours.
    const listed = (at: number, r: StepResult) => run(r.state, { type: 'releases', releases: history }, at, history);
    let r = run(state, fail, T0 + 30_000, history);
    expect(r.state).toMatchObject({ phase: 'rolling-back', rollback: { attempts: 1, retryAt: T0 + 40_000, lastError: 'fly deploy exited 1' } });
    expect(deploys(run(r.state, { type: 'tick' }, T0 + 40_000, history))).toEqual([]); // no listing since the failure yet
    r = listed(T0 + 35_000, r);
    expect(deploys(run(r.state, { type: 'tick' }, T0 + 39_999, history))).toEqual([]);
    expect(deploys(run(r.state, { type: 'tick' }, T0 + 45_000, history, { deployInFlight: true }))).toEqual([]); // one already out
    r = run(r.state, { type: 'tick' }, T0 + 40_000, history);
    expect(deploys(r)).toHaveLength(1);
    r = run(r.state, fail, T0 + 41_000, history);
    expect(r.state.rollback?.retryAt).toBe(T0 + 61_000); // backoff doubled
    r = listed(T0 + 50_000, r);
    r = run(run(r.state, { type: 'tick' }, T0 + 61_000, history).state, fail, T0 + 62_000, history);
    expect(r.state.phase).toBe('rollback-failed');
    expect(r.state.reason).toMatch(/failed 3×/);
    expect(deploys(run(r.state, { type: 'tick' }, T0 + 10 * 60_000, history))).toEqual([]);
  });

  it('after a rollback, the bad release is not guarded again; a new release is', () => {
    const { state, history } = rollingBack();
    let r = run(state, { type: 'deploy-result', ok: true, version: 3 }, T0 + 30_000, history);
    r = run(r.state, { type: 'probe-round', measurements: round('successful') }, T0 + 35_000, history);
    r = run(r.state, { type: 'probe-round', measurements: round('successful') }, T0 + 40_000, history);
    const list = [release(3, { imageRef: image(1), origin: 'rollback' }), release(2, { verdict: 'bad' }), release(1)];
    const same = run(r.state, { type: 'releases', releases: list }, T0 + 50_000, history);
    expect(same.state.phase).toBe('rolled-back');
    const fixed = run(same.state, { type: 'releases', releases: [release(4), ...list] }, T0 + 60_000, history);
    expect(fixed.state.phase).toBe('guarding');
    expect(fixed.state.guard?.release.version).toBe(4);
  });
});

describe('step: recovery after a restart mid-rollback', () => {
  function afterRestart() {
    const { state, history } = guardingV2();
    return { state: failRounds(state, 3, history).state, history }; // issuedAt = T0 + 15s
  }
  const listWith = (extra: ReleaseView[]) => [...extra, release(2, { verdict: 'bad' }), release(1, { verdict: 'good' })];

  it('finds the finished deploy in the release list and verifies it, without deploying again', () => {
    const { state, history } = afterRestart();
    const r = run(state, { type: 'releases', releases: listWith([release(3, { imageRef: image(1) })]) }, T0 + 20_000, history, { deployInFlight: false });
    expect(r.state.phase).toBe('verifying');
    expect(r.state.rollback?.rollbackVersion).toBe(3);
    expect(deploys(r)).toEqual([]);
    expect(kinds(r)).toContain('rollback-recovered');
  });

  it('waits while the interrupted deploy is still rolling out', () => {
    const { state, history } = afterRestart();
    const r = run(state, { type: 'releases', releases: listWith([release(3, { imageRef: image(1), status: 'running' })]) }, T0 + 20_000, history, { deployInFlight: false });
    expect(r.state.phase).toBe('rolling-back');
    expect(deploys(r)).toEqual([]);
  });

  it('re-issues only after reissueAfter with no sign of the deploy, up to the attempt limit', () => {
    const { state, history } = afterRestart();
    const soon = run(state, { type: 'releases', releases: listWith([]) }, T0 + 15_000 + 59_000, history, { deployInFlight: false });
    expect(deploys(soon)).toEqual([]);
    let r = run(state, { type: 'releases', releases: listWith([]) }, T0 + 15_000 + 60_000, history, { deployInFlight: false });
    expect(deploys(r)).toHaveLength(1);
    expect(r.state.rollback?.attempts).toBe(2);
    r = run(r.state, { type: 'releases', releases: listWith([]) }, T0 + 200_000, history, { deployInFlight: false });
    expect(r.state.rollback?.attempts).toBe(3);
    r = run(r.state, { type: 'releases', releases: listWith([]) }, T0 + 300_000, history, { deployInFlight: false });
    expect(r.state.phase).toBe('rollback-failed');
    expect(deploys(r)).toEqual([]);
  });

  it('never re-issues while this process still has the deploy in flight', () => {
    const { state, history } = afterRestart();
    const r = run(state, { type: 'releases', releases: listWith([]) }, T0 + 10 * 60_000, history, { deployInFlight: true });
    expect(deploys(r)).toEqual([]);
  });
});
