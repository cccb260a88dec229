import { describe, expect, it } from 'vitest';
import { notifyEventFor } from '../../src/guard/notify-events.ts';
import { initialState, type TargetState } from '../../src/domain/target-state.ts';
import { image, target } from './fixtures.ts';

const base = initialState('api', 0);
const plan = { from: { version: 2, imageRef: image(2) }, to: { version: 1, imageRef: image(1) }, reason: 'ready failed 3×', decidedAt: 0, trigger: 'automatic' as const };
const rollback = { ...plan, attempts: 1, tallies: {} };

describe('notifyEventFor', () => {
  it.each([
    ['guard-started', { ...base, guard: { release: { ...plan.from, status: 'complete' }, startedAt: 0, endsAt: 1, tallies: {} } }, 'deploy-guarded', 'info'],
    ['release-failed', { ...base, plan }, 'release-failing', 'warning'],
    ['rollback-started', { ...base, rollback }, 'rollback-started', 'warning'],
    ['rollback-verified', { ...base, rollback }, 'rollback-finished', 'info'],
    ['rollback-failed', { ...base, rollback, reason: 'did not verify' }, 'rollback-failed', 'critical'],
    ['rollback-held', { ...base, plan, hold: { kind: 'migration' as const, reason: 'crosses 0007' } }, 'rollback-held', 'critical'],
  ])('when %s then %s (%s)', (kind, after, eventKind, severity) => {
    const event = notifyEventFor(kind, undefined, { target, before: base, after: after as TargetState, now: 5000 });
    expect(event).toMatchObject({ kind: eventKind, severity, target: 'api', environment: 'production', at: 5000 });
  });

  it('tells the operator what to do about a hold', () => {
    const after = { ...base, plan, hold: { kind: 'approval' as const, reason: 'approve mode' } };
    const event = notifyEventFor('rollback-held', undefined, { target, before: base, after, now: 0 });
    expect(event).toMatchObject({ cause: 'needs-approval', actions: expect.arrayContaining([{ label: 'approve the rollback', command: 'rollback-watchdog approve api' }]) });
  });

  it('stays quiet about bookkeeping decisions', () => {
    expect(notifyEventFor('rollback-release-seen', undefined, { target, before: base, after: base, now: 0 })).toBeUndefined();
  });
});
