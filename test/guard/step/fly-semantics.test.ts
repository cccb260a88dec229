/**
 * What real Fly does that a rollback must respect (fly-facts section 9), at the level of the pure
 * step: config-only releases, deploys that ended without going live, releases stuck in running,
 * flyctl failing while Fly goes on deploying, and a partial partition.
 */
import { describe, expect, it } from 'vitest';
import { initialState, type ReleaseView, type TargetState } from '../../../src/domain/target-state.ts';
import type { Measurement } from '../../../src/domain/measurement.ts';
import { image, release, round } from './fixtures.ts';
import { deploys, kinds, nothing, run, verdicts } from './run.ts';

const T0 = 10_000_000;
const stable: TargetState = { ...initialState('api', T0), phase: 'stable', lastSeenVersion: 1 };

function failing(state: TargetState, history: ReleaseView[], measurements = round('failed')) {
  let r = run(state, { type: 'probe-round', measurements }, T0 + 5_000, history);
  for (let i = 2; i <= 3; i++) r = run(r.state, { type: 'probe-round', measurements }, T0 + i * 5_000, history);
  return r;
}

describe('a config-only release (fly secrets set: same image as the release before)', () => {
  const history = [release(2, { imageRef: image(1) }), release(1, { verdict: 'good' })];

  it('is guarded, and when it fails nothing is rolled back or judged bad: held for a human, saying why and what to do', () => {
    const guarded = run(stable, { type: 'releases', releases: history }, T0, history);
    expect(guarded.state.guard).toMatchObject({ release: { version: 2 }, configOnly: true });
    const r = failing(guarded.state, history);
    expect(r.state.phase).toBe('held');
    expect(r.state.hold).toEqual({ kind: 'config-change', reason: expect.stringContaining('config-only release v2 failed; redeploying an image cannot undo a secrets change') });
    expect(deploys(r)).toEqual([]);
    expect(verdicts(r)).toEqual(['v2:unknown']); // image(1) stays good: a later deploy of it is not refused
    const incident = r.writes.find((w) => w.type === 'open-incident');
    expect(incident?.type === 'open-incident' && incident.incident.evidence).toContainEqual(expect.objectContaining({ kind: 'note', text: expect.stringContaining('fly secrets') }));
    const held = r.effects.find((e) => e.type === 'notify' && e.event.kind === 'rollback-held');
    expect(held).toMatchObject({ event: { actions: expect.arrayContaining([{ label: 'check the secrets', command: 'fly secrets list --app api' }]) } });
  });

  it('an approval has nothing to roll back to', () => {
    const held = failing(run(stable, { type: 'releases', releases: history }, T0, history).state, history).state;
    expect(run(held, { type: 'approve', by: 'alice' }, T0 + 30_000, history).refusal).toMatchObject({ code: 'no-rollback-target' });
  });

  it('a deploy of a new image is not config-only', () => {
    const fresh = [release(2), release(1, { verdict: 'good' })];
    expect(run(stable, { type: 'releases', releases: fresh }, T0, fresh).state.guard?.configOnly).toBeUndefined();
  });
});

describe('a deploy that did not complete', () => {
  it('ended failed with no machine on it (a reverted bluegreen deploy): not guarded, no verdict, the target stays as it was', () => {
    const list = [release(2, { status: 'failed', live: false }), release(1, { verdict: 'good' })];
    const r = run(stable, { type: 'releases', releases: list }, T0, list);
    expect(r.state).toMatchObject({ phase: 'stable', lastSeenVersion: 2 });
    expect(kinds(r)).toEqual(['release-not-live']);
    expect(verdicts(r)).toEqual(['v2:unknown']);
  });

  it('ended failed while machines run it: guarded like any deploy', () => {
    const list = [release(2, { status: 'failed', live: true }), release(1, { verdict: 'good' })];
    expect(run(stable, { type: 'releases', releases: list }, T0, list).state.phase).toBe('guarding');
  });

  it('ended failed and the machines could not be read: waits for a listing that knows', () => {
    const list = [release(2, { status: 'interrupted' }), release(1, { verdict: 'good' })];
    const r = run(stable, { type: 'releases', releases: list }, T0, list);
    expect(r.state).toMatchObject({ phase: 'stable', lastSeenVersion: 1 });
    expect(nothing(r)).toBe(true);
  });

  it('stuck in running (the deploying flyctl was killed): guarded once past guard.stuckAfter while machines run it', () => {
    const at = (ms: number, live?: boolean) => [release(2, { status: 'running', createdAt: T0, ...(live !== undefined && { live }) }), release(1, { verdict: 'good' })];
    expect(run(stable, { type: 'releases', releases: at(0) }, T0 + 60_000, at(0)).state.phase).toBe('stable');
    expect(run(stable, { type: 'releases', releases: at(0, false) }, T0 + 900_000, at(0, false)).state.phase).toBe('stable');
    const r = run(stable, { type: 'releases', releases: at(0, true) }, T0 + 900_000, at(0, true));
    expect(r.state.guard?.release).toMatchObject({ version: 2, status: 'running' });
  });
});

describe('flyctl fails while Fly goes on deploying the rollback', () => {
  const history = [release(2), release(1, { verdict: 'good' })];
  function rollingBack() {
    const guarded = run(stable, { type: 'releases', releases: history }, T0, history).state;
    const r = failing(guarded, history);
    expect(deploys(r)).toHaveLength(1);
    return r.state;
  }

  it('exit 1 or a deadline after Fly created the release: waits for that release and verifies it; never a second deploy', () => {
    // The listing the runner takes before stepping the result shows our release rolling out.
    const listed = [release(3, { imageRef: image(1), status: 'running' }), ...history];
    let r = run(rollingBack(), { type: 'releases', releases: listed }, T0 + 20_000, history, { deployInFlight: true });
    r = run(r.state, { type: 'deploy-result', ok: false, error: 'flyctl exited 126: deadline exceeded' }, T0 + 21_000, history);
    expect(kinds(r)).toEqual(['rollback-deploy-detached']);
    expect(r.state.rollback).toMatchObject({ rollbackVersion: 3, attempts: 1 });
    expect(r.state.rollback?.retryAt).toBeUndefined();
    expect(deploys(run(r.state, { type: 'tick' }, T0 + 10 * 60_000, history))).toEqual([]);
    const done = run(r.state, { type: 'releases', releases: [release(3, { imageRef: image(1), origin: 'rollback' }), ...history] }, T0 + 30_000, history);
    expect(done.state.phase).toBe('verifying');
    expect(kinds(done)).toEqual(['rollback-recovered', 'rollback-deployed']);
  });

  it("a failed attempt leaves a failed release: it is an attempt, never guarded; the retry's release is the rollback", () => {
    let r = run(rollingBack(), { type: 'deploy-result', ok: false, error: 'release command failed' }, T0 + 20_000, history);
    const attempt = release(3, { imageRef: image(1), status: 'failed' });
    r = run(r.state, { type: 'releases', releases: [attempt, ...history] }, T0 + 22_000, history);
    expect(r.writes).toContainEqual({ type: 'set-origin', version: 3, origin: 'rollback' });
    expect(r.state.rollback?.rollbackVersion).toBeUndefined();
    r = run(r.state, { type: 'tick' }, T0 + 40_000, history);
    expect(deploys(r)).toHaveLength(1); // the retry
    const retried = [release(4, { imageRef: image(1), status: 'complete' }), { ...attempt, origin: 'rollback' as const }, ...history];
    r = run(r.state, { type: 'releases', releases: retried }, T0 + 45_000, history);
    expect(r.state.rollback?.rollbackVersion).toBe(4);
    expect(r.state.phase).toBe('verifying');
    expect(r.state.guard).toBeUndefined();
  });
});

describe('a partial partition', () => {
  const history = [release(2), release(1, { verdict: 'good' })];
  const unanswered: Measurement[] = round('error', 0, ['health', 'ready']).map((m) => ({ ...m, detail: 'connect ETIMEDOUT' }));

  it("the app does not answer the watchdog while Fly's checks pass on every machine: held for a human, not rolled back", () => {
    let r = run(run(stable, { type: 'releases', releases: history }, T0, history).state, { type: 'probe-round', measurements: unanswered, platformHealthy: true }, T0 + 5_000, history);
    for (let i = 2; i <= 3; i++) r = run(r.state, { type: 'probe-round', measurements: unanswered, platformHealthy: true }, T0 + i * 5_000, history);
    expect(r.state.phase).toBe('held');
    expect(r.state.hold?.kind).toBe('evidence-conflict');
    expect(deploys(r)).toEqual([]);
    expect(verdicts(r)).toEqual([]); // not judged bad
    expect(run(r.state, { type: 'approve', by: 'alice' }, T0 + 20_000, history).state.phase).toBe('rolling-back');
  });

  it("when Fly's checks fail too, the evidence agrees: rolled back", () => {
    let r = run(run(stable, { type: 'releases', releases: history }, T0, history).state, { type: 'probe-round', measurements: unanswered, platformHealthy: false }, T0 + 5_000, history);
    for (let i = 2; i <= 3; i++) r = run(r.state, { type: 'probe-round', measurements: unanswered, platformHealthy: false }, T0 + i * 5_000, history);
    expect(r.state.phase).toBe('rolling-back');
  });
});
