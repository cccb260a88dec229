import { describe, expect, it } from 'vitest';
import { initialState } from '../../src/domain/target-state.ts';
import { toTransition } from '../../src/guard/transition.ts';
import { target } from './fixtures.ts';

const before = initialState('api', 0);
const failing = { ...before, phase: 'failing' as const, incident: { id: 'inc-1', open: true } };

describe('toTransition', () => {
  it('gathers verdicts, origins and journal lines, tagging lines with the incident open before or after', () => {
    const t = toTransition(target, before, failing, [
      { type: 'set-verdict', version: 2, verdict: 'bad', reason: 'ready failed' },
      { type: 'record', kind: 'release-failed', level: 'warn', message: 'v2 failed' },
      { type: 'open-incident', id: 'inc-1', version: 2, imageRef: 'img', reason: 'ready failed', impactStartedAt: 5, evidence: ['ready: 503'] },
      { type: 'deploy', imageRef: 'img-1', toVersion: 1 },
    ], 10, 300_000);
    expect(t.verdicts).toEqual([{ version: 2, verdict: 'bad', reason: 'ready failed' }]);
    expect(t.journal).toEqual([{ target: 'api', at: 10, kind: 'release-failed', message: 'v2 failed', incidentId: 'inc-1' }]);
    expect(t.openIncidents[0]).toMatchObject({ id: 'inc-1', environment: 'production', openedAt: 10, impactStartedAt: 5, evidence: [{ kind: 'measurements', lines: ['ready: 503'] }] });
  });

  it('tags the closing line too, and passes the post-mortem threshold to the store', () => {
    const closed = { ...failing, phase: 'rolled-back' as const, incident: { id: 'inc-1', open: false } };
    const t = toTransition(target, failing, closed, [
      { type: 'record', kind: 'rollback-verified', level: 'info', message: 'ok' },
      { type: 'close-incident', id: 'inc-1', outcome: 'rolled-back', recoveredAt: 20 },
    ], 20, 300_000);
    expect(t.journal[0]?.incidentId).toBe('inc-1');
    expect(t.closeIncidents).toEqual([{ id: 'inc-1', outcome: 'rolled-back', closedAt: 20, postmortemAfterMs: 300_000, recoveredAt: 20 }]);
  });

  it('marks a step that decided nothing (no action, same phase) as progress only, and nothing else', () => {
    const guarding = { ...before, phase: 'guarding' as const };
    const tallied = { ...guarding, lastSeenVersion: 3 };
    expect(toTransition(target, guarding, tallied, [], 10, 300_000).progressOnly).toBe(true);
    expect(toTransition(target, guarding, failing, [], 10, 300_000).progressOnly).toBeUndefined();
    expect(toTransition(target, guarding, tallied, [{ type: 'record', kind: 'note', level: 'info', message: 'x' }], 10, 300_000).progressOnly).toBeUndefined();
    expect(toTransition(target, guarding, tallied, [{ type: 'deploy', imageRef: 'img-1', toVersion: 1 }], 10, 300_000).progressOnly).toBeUndefined();
  });
});
