import { describe, expect, it } from 'vitest';
import type { Decision } from '../../../src/domain/decision.ts';
import { initialState, type TargetState } from '../../../src/domain/target-state.ts';
import { notificationFor } from '../../../src/guard/step/notifications.ts';
import { image, target } from './fixtures.ts';

const base = initialState('api', 0);
const from = { version: 2, imageRef: image(2) };
const to = { version: 1, imageRef: image(1) };
const plan = { from, to, reason: 'ready failed 3×', decidedAt: 0, trigger: 'automatic' as const };
const rollback = { ...plan, attempts: 1, tallies: {} };

describe('notificationFor', () => {
  it.each<[Decision, TargetState, string, string]>([
    [{ kind: 'guard-started', version: 2, imageRef: image(2), status: 'complete', user: 'ci@example.com', windowMs: 1 }, base, 'deploy-guarded', 'info'],
    [{ kind: 'release-failed', version: 2, imageRef: image(2), reason: 'ready failed 3×', rollbackTo: 1, measurements: [] }, { ...base, plan }, 'release-failing', 'warning'],
    [{ kind: 'rollback-started', from, to, trigger: 'automatic', strategy: 'immediate' }, { ...base, rollback }, 'rollback-started', 'warning'],
    [{ kind: 'rollback-verified', from, to, rollbackVersion: 3, trigger: 'automatic', successes: 2 }, { ...base, rollback }, 'rollback-finished', 'info'],
    [{ kind: 'rollback-failed', cause: 'verification', reason: 'did not verify', from, to }, { ...base, rollback }, 'rollback-failed', 'critical'],
    [{ kind: 'rollback-held', hold: 'migration', reason: 'crosses 0007', from, to }, { ...base, plan }, 'rollback-held', 'critical'],
    [{ kind: 'group-rollback-refused', group: 'stack', reason: 'worker: paused' }, { ...base, plan }, 'rollback-held', 'critical'],
  ])('when %j then %s (%s)', (decision, after, eventKind, severity) => {
    const event = notificationFor(decision, base, after, { target, now: 5000 });
    expect(event).toMatchObject({ kind: eventKind, severity, target: 'api', environment: 'production', at: 5000 });
  });

  it('tells the operator what to do about a hold', () => {
    const after = { ...base, plan, hold: { kind: 'approval' as const, reason: 'approve mode' } };
    const event = notificationFor({ kind: 'rollback-held', hold: 'approval', reason: 'approve mode', from, to }, base, after, { target, now: 0 });
    expect(event).toMatchObject({ cause: 'needs-approval', actions: expect.arrayContaining([{ label: 'approve the rollback', command: 'rollback-watchdog approve api' }]) });
  });

  it('says a group rollback is automatic, with no operator named', () => {
    const event = notificationFor({ kind: 'rollback-started', from, to, trigger: 'automatic', strategy: 'immediate', group: 'stack' }, base, { ...base, rollback }, { target, now: 0 });
    expect(event).toMatchObject({ kind: 'rollback-started', trigger: 'automatic' });
    expect(event).not.toHaveProperty('actor');
  });

  it('stays quiet about bookkeeping decisions', () => {
    expect(notificationFor({ kind: 'rollback-release-seen', version: 3, imageRef: image(1), to: 1 }, base, base, { target, now: 0 })).toBeUndefined();
  });
});
