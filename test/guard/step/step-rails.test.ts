import { describe, expect, it } from 'vitest';
import type { RollbackPolicy } from '../../../src/domain/policy.ts';
import { initialState, type ReleaseView, type TargetState } from '../../../src/domain/target-state.ts';
import type { GuardEvent, StepResult } from '../../../src/guard/step/context.ts';
import { step } from '../../../src/guard/step/step.ts';
import { context, deploys, kinds, nothing, run as runStep } from './run.ts';
import { image, policy, release, round, target } from './fixtures.ts';

const T0 = 5_000_000;

interface Opts {
  policy?: Partial<RollbackPolicy>;
  deployInFlight?: boolean;
  migrationCrossing?: (from: { version: number }, to: { version: number }) => string | undefined;
}

function run(state: TargetState, event: GuardEvent, now: number, history: ReleaseView[], o: Opts = {}): StepResult {
  return runStep(state, event, now, history, {
    deployInFlight: o.deployInFlight ?? false,
    policy: { ...policy, ...o.policy },
    ...(o.migrationCrossing && { migrationCrossing: o.migrationCrossing }),
  });
}

const history = [release(2), release(1, { verdict: 'good' })];

/** v2 guarded, then failing three rounds under the given options. */
function failV2(o: Opts = {}, base: TargetState = { ...initialState('api', T0), phase: 'stable', lastSeenVersion: 1 }): StepResult {
  let r = run(base, { type: 'releases', releases: history }, T0, history, o);
  for (let i = 1; i <= 3; i++) r = run(r.state, { type: 'probe-round', measurements: round('failed') }, T0 + i * 5000, history, o);
  return r;
}

describe('safety rails', () => {
  it.each([
    ['approve mode', { policy: { mode: 'approve' as const } }, 'approval', /waiting for an operator/],
    ['dry-run mode', { policy: { mode: 'dry-run' as const } }, 'dry-run', /would roll back v2 to the image of v1/],
    ['a paused target', { policy: { paused: true } }, 'paused', /paused/],
    ['a migration in between', { migrationCrossing: () => 'v2 applied migration 0007_add_column after v1' }, 'migration', /manual SQL reversal on staging/],
  ])('when %s then held (%s), nothing deployed', (_label, opts, hold, reason) => {
    const r = failV2(opts);
    expect(r.state.phase).toBe('held');
    expect(r.state.hold?.kind).toBe(hold);
    expect(r.state.reason).toMatch(reason);
    expect(r.state.plan).toMatchObject({ from: { version: 2 }, to: { version: 1 } });
    expect(deploys(r)).toEqual([]);
    expect(kinds(r)).toEqual(['release-failed', 'rollback-held']);
  });

  it('holds inside the cooldown after an automatic rollback', () => {
    const base = { ...initialState('api', T0), phase: 'stable' as const, lastSeenVersion: 1, autoRollbacks: [T0 - 60_000] };
    const r = failV2({}, base);
    expect(r.state.hold).toMatchObject({ kind: 'rate-limit', reason: expect.stringMatching(/inside the 600s cooldown/) });
  });

  it('holds once the cap of automatic rollbacks per period is reached', () => {
    const base = { ...initialState('api', T0), phase: 'stable' as const, lastSeenVersion: 1, autoRollbacks: [T0 - 3_000_000, T0 - 2_000_000, T0 - 1_000_000] };
    const r = failV2({ policy: { cooldownMs: 0 } }, base);
    expect(r.state.hold).toMatchObject({ kind: 'rate-limit', reason: expect.stringMatching(/3 automatic rollbacks within 60m/) });
  });

  it('forgets automatic rollbacks older than the period', () => {
    const base = { ...initialState('api', T0), phase: 'stable' as const, lastSeenVersion: 1, autoRollbacks: [T0 - 4_000_000, T0 - 3_900_000, T0 - 3_800_000] };
    expect(failV2({ policy: { cooldownMs: 0 } }, base).state.phase).toBe('rolling-back');
  });

  it('a restart between the decision and the rails proceeds on the next tick', () => {
    let r = run({ ...initialState('api', T0), phase: 'stable', lastSeenVersion: 1 }, { type: 'releases', releases: history }, T0, history);
    for (let i = 1; i <= 3; i++) {
      r = step(r.state, { type: 'probe-round', measurements: round('failed') }, context(T0 + i * 5000, history));
    }
    expect(r.state.phase).toBe('failing'); // stored; then the process died before `proceed`
    const resumed = run(r.state, { type: 'tick' }, T0 + 60_000, history);
    expect(resumed.state.phase).toBe('rolling-back');
    expect(deploys(resumed)).toHaveLength(1);
  });
});

describe('operator decisions', () => {
  it('approve starts the held rollback, recording who approved', () => {
    const held = failV2({ policy: { mode: 'approve' } });
    const r = run(held.state, { type: 'approve', by: 'alice' }, T0 + 30_000, history, { policy: { mode: 'approve' } });
    expect(r.state).toMatchObject({ phase: 'rolling-back', rollback: { trigger: 'automatic', requestedBy: 'alice', to: { version: 1 } } });
    expect(deploys(r)).toEqual([{ type: 'deploy', imageRef: image(1), toVersion: 1 }]);
    expect(kinds(r)).toEqual(['rollback-approved', 'rollback-started']);
  });

  it('approve cannot conjure a target where none is known', () => {
    const noGood = [release(2), release(1)];
    let r = run({ ...initialState('api', T0), lastSeenVersion: 1 }, { type: 'releases', releases: noGood }, T0, noGood);
    for (let i = 1; i <= 3; i++) r = run(r.state, { type: 'probe-round', measurements: round('failed') }, T0 + i * 5000, noGood);
    expect(r.state.hold?.kind).toBe('no-known-good');
    expect(nothing(run(r.state, { type: 'approve', by: 'alice' }, T0 + 30_000, noGood))).toBe(true);
  });

  it('veto deploys nothing and leaves the target idle until a new release', () => {
    const held = failV2({ policy: { mode: 'approve' } });
    const vetoed = run(held.state, { type: 'veto', by: 'bob' }, T0 + 30_000, history);
    expect(vetoed.state).toMatchObject({ phase: 'idle', reason: expect.stringMatching(/vetoed by bob/) });
    expect(deploys(vetoed)).toEqual([]);
    const next = run(vetoed.state, { type: 'releases', releases: [release(3), ...history] }, T0 + 60_000, history);
    expect(next.state.guard?.release.version).toBe(3);
  });

  it('a manual rollback goes to the chosen release from a stable target', () => {
    const stable = { ...initialState('api', T0), phase: 'stable' as const, lastSeenVersion: 2, current: { version: 2, imageRef: image(2), status: 'complete' } };
    const r = run(stable, { type: 'manual-rollback', by: 'carol', request: { version: 1 } }, T0, history);
    expect(r.state).toMatchObject({ phase: 'rolling-back', rollback: { trigger: 'manual', requestedBy: 'carol', from: { version: 2 }, to: { version: 1 } } });
    expect(deploys(r)).toHaveLength(1);
    expect(r.state.autoRollbacks).toEqual([]); // manual rollbacks do not count against the automatic cap
  });

  it('a manual rollback is refused while another is out', () => {
    const out = failV2().state;
    expect(out.phase).toBe('rolling-back');
    const refused = run(out, { type: 'manual-rollback', by: 'carol', request: { version: 1 } }, T0 + 20_000, history);
    expect(nothing(refused)).toBe(true);
    expect(refused.refusal).toEqual({ code: 'rollback-in-progress' });
  });
});

describe('a known-bad image comes back', () => {
  it('is not guarded as new: judged bad at once and rolled back in auto mode', () => {
    const badHistory = [release(3, { imageRef: image(2) }), release(2, { verdict: 'bad', verdictReason: 'ready failed' }), release(1, { verdict: 'good' })];
    const start = { ...initialState('api', T0), phase: 'rolled-back' as const, lastSeenVersion: 2 };
    const r = run(start, { type: 'releases', releases: badHistory }, T0, badHistory);
    expect(kinds(r)).toEqual(['known-bad-image', 'release-failed', 'rollback-started']);
    expect(r.writes).toContainEqual({ type: 'set-verdict', version: 3, verdict: 'bad', reason: 'image already judged bad in v2 (ready failed)' });
    expect(deploys(r)).toEqual([{ type: 'deploy', imageRef: image(1), toVersion: 1 }]);
  });

  it('in approve mode it is held instead', () => {
    const badHistory = [release(3, { imageRef: image(2) }), release(2, { verdict: 'bad' }), release(1, { verdict: 'good' })];
    const start = { ...initialState('api', T0), phase: 'rolled-back' as const, lastSeenVersion: 2 };
    const r = run(start, { type: 'releases', releases: badHistory }, T0, badHistory, { policy: { mode: 'approve' } });
    expect(r.state.phase).toBe('held');
    expect(deploys(r)).toEqual([]);
  });
});

describe('incident evidence', () => {
  it("keeps a failed smoke test's output tail with the incident", () => {
    const smokeProbe = { name: 'smoke', type: 'smoke' as const, command: ['npm', 'run', 'e2e'], timeout: 60_000, retries: 1, retryDelay: 5_000, interval: 300_000 };
    const withSmoke = { ...target, probes: [...target.probes, smokeProbe] };
    const guarded = runStep({ ...initialState('api', T0), phase: 'stable', lastSeenVersion: 1 }, { type: 'releases', releases: history }, T0, history, { target: withSmoke });
    const smoke = { check: 'smoke', phase: 'failed' as const, at: T0 + 1000, durationMs: 900, detail: 'exited 1', evidence: 'FAIL checkout flow: 500 from /api/v1/cart' };
    const r = runStep(guarded.state, { type: 'probe-round', measurements: [smoke] }, T0 + 1000, history, { target: withSmoke });
    const opened = r.writes.find((w) => w.type === 'open-incident');
    expect(opened?.type === 'open-incident' && opened.incident.evidence).toContainEqual({ kind: 'smoke-output', at: T0 + 1000, check: 'smoke', text: 'FAIL checkout flow: 500 from /api/v1/cart' });
  });
});
