import { describe, expect, it } from 'vitest';
import { planGroupRollback } from '../../../src/guard/step/group-plan.ts';
import type { GroupRelease } from '../../../src/guard/step/group-plan.ts';

const MIN = 60_000;
const rel = (app: string, version: number, createdAt: number, over: Partial<GroupRelease> = {}): GroupRelease => ({
  version,
  imageRef: `registry.fly.io/${app}:deployment-${version}`,
  status: 'complete',
  createdAt,
  user: 'ci@example.com',
  description: 'Release',
  verdict: 'good',
  origin: 'deploy',
  ...over,
});
const group = { name: 'renderflow', targets: ['worker', 'api'], window: 10 * MIN };

describe('planGroupRollback', () => {
  it('rolls back every member that shipped with the failing release, in order, to the pair live before', () => {
    const histories = {
      api: [rel('api', 12, 100 * MIN, { verdict: 'pending' }), rel('api', 11, 50 * MIN)],
      worker: [rel('worker', 8, 101 * MIN, { verdict: 'bad' }), rel('worker', 7, 51 * MIN)],
    };
    const plan = planGroupRollback(group, { target: 'worker', release: { version: 8, imageRef: 'registry.fly.io/worker:deployment-8' } }, histories);
    expect(plan).toEqual({
      ok: true,
      steps: [
        { target: 'worker', from: { version: 8, imageRef: 'registry.fly.io/worker:deployment-8' }, to: { version: 7, imageRef: 'registry.fly.io/worker:deployment-7' } },
        { target: 'api', from: { version: 12, imageRef: 'registry.fly.io/api:deployment-12' }, to: { version: 11, imageRef: 'registry.fly.io/api:deployment-11' } },
      ],
    });
  });

  it('leaves alone a member that did not ship inside the window', () => {
    const histories = {
      api: [rel('api', 11, 10 * MIN)],
      worker: [rel('worker', 8, 100 * MIN, { verdict: 'bad' }), rel('worker', 7, 51 * MIN)],
    };
    const plan = planGroupRollback(group, { target: 'worker', release: { version: 8, imageRef: 'registry.fly.io/worker:deployment-8' } }, histories);
    expect(plan.ok && plan.steps.map((s) => s.target)).toEqual(['worker']);
  });

  it('skips a member already back on its target image (a group rollback resumed after a restart)', () => {
    const histories = {
      api: [rel('api', 12, 100 * MIN, { verdict: 'pending' }), rel('api', 11, 50 * MIN)],
      worker: [
        rel('worker', 9, 102 * MIN, { origin: 'rollback', imageRef: 'registry.fly.io/worker:deployment-7' }),
        rel('worker', 8, 101 * MIN, { verdict: 'bad' }),
        rel('worker', 7, 51 * MIN),
      ],
    };
    const plan = planGroupRollback(group, { target: 'worker', release: { version: 8, imageRef: 'registry.fly.io/worker:deployment-8' } }, histories);
    expect(plan.ok && plan.steps.map((s) => s.target)).toEqual(['api']);
  });

  it('does not count a release judged good before the failing one appeared as part of the ship', () => {
    const histories = {
      api: [rel('api', 2, 100 * MIN, { verdict: 'pending' }), rel('api', 1, 99.9 * MIN, { verdictAt: 99.95 * MIN })],
      worker: [rel('worker', 2, 100 * MIN, { verdict: 'bad' }), rel('worker', 1, 99.9 * MIN, { verdictAt: 99.95 * MIN })],
    };
    const plan = planGroupRollback(group, { target: 'worker', release: { version: 2, imageRef: 'registry.fly.io/worker:deployment-2' } }, histories);
    expect(plan.ok && plan.steps.map((s) => `${s.target}:${s.to.version}`)).toEqual(['worker:1', 'api:1']);
  });

  it('plans nothing when a shipped member has no good release before the ship', () => {
    const histories = {
      api: [rel('api', 12, 100 * MIN, { verdict: 'pending' }), rel('api', 11, 50 * MIN, { verdict: 'unknown' })],
      worker: [rel('worker', 8, 101 * MIN, { verdict: 'bad' }), rel('worker', 7, 51 * MIN)],
    };
    const plan = planGroupRollback(group, { target: 'worker', release: { version: 8, imageRef: 'registry.fly.io/worker:deployment-8' } }, histories);
    expect(plan).toEqual({ ok: false, reason: 'api has no known-good release from before the ship (v12)' });
  });
});
