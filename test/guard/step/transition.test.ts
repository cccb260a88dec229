import { describe, expect, it } from 'vitest';
import { closeIncident, openIncident } from '../../../src/domain/incident.ts';
import { initialState } from '../../../src/domain/target-state.ts';
import { toTransition } from '../../../src/guard/step/transition.ts';
import { target } from './fixtures.ts';

const before = initialState('api', 0);
const failing = { ...before, phase: 'failing' as const, incident: { id: 'inc-1', open: true, impactStartedAt: 5 } };
const none = { decisions: [], writes: [], effects: [] };
const incident = openIncident({ id: 'inc-1', target: 'api', environment: 'production', version: 2, imageRef: 'img', reason: 'ready failed', openedAt: 10, impactStartedAt: 5, evidence: [] });

describe('toTransition', () => {
  it('gathers verdicts, incidents and journal lines (words from the decision), tagging lines with the incident open before or after', () => {
    const t = toTransition(
      target,
      before,
      failing,
      {
        writes: [{ type: 'set-verdict', version: 2, verdict: 'bad', reason: 'ready failed' }, { type: 'open-incident', incident }],
        decisions: [{ kind: 'release-failed', version: 2, imageRef: 'img', reason: 'ready failed', rollbackTo: 1, measurements: [] }],
        effects: [{ type: 'deploy', imageRef: 'img-1', toVersion: 1 }],
      },
      10,
    );
    expect(t.verdicts).toEqual([{ version: 2, verdict: 'bad', reason: 'ready failed' }]);
    expect(t.journal).toEqual([
      { target: 'api', at: 10, kind: 'release-failed', message: 'v2 failed its guard: ready failed', data: { version: 2, imageRef: 'img', reason: 'ready failed', rollbackTo: 1, measurements: [] }, incidentId: 'inc-1' },
    ]);
    expect(t.openIncidents).toEqual([incident]);
  });

  it('tags the closing line too, and passes the close as decided', () => {
    const closed = { ...failing, phase: 'rolled-back' as const, incident: { id: 'inc-1', open: false } };
    const close = closeIncident({ id: 'inc-1', impactStartedAt: 5 }, 'rolled-back', 20, 300_000, 20);
    const t = toTransition(
      target,
      failing,
      closed,
      {
        ...none,
        decisions: [{ kind: 'rollback-verified', from: { version: 2, imageRef: 'img' }, to: { version: 1, imageRef: 'img-1' }, rollbackVersion: 3, trigger: 'automatic', successes: 2 }],
        writes: [{ type: 'close-incident', close }],
      },
      20,
    );
    expect(t.journal[0]?.incidentId).toBe('inc-1');
    expect(t.closeIncidents).toEqual([close]);
  });

  it('marks a step that decided nothing (nothing decided, written or done, same phase) as progress only, and nothing else', () => {
    const guarding = { ...before, phase: 'guarding' as const };
    const tallied = { ...guarding, lastSeenVersion: 3 };
    expect(toTransition(target, guarding, tallied, none, 10).progressOnly).toBe(true);
    expect(toTransition(target, guarding, failing, none, 10).progressOnly).toBeUndefined();
    expect(toTransition(target, guarding, tallied, { ...none, decisions: [{ kind: 'marked-good', version: 1, by: 'x' }] }, 10).progressOnly).toBeUndefined();
    expect(toTransition(target, guarding, tallied, { ...none, effects: [{ type: 'deploy', imageRef: 'img-1', toVersion: 1 }] }, 10).progressOnly).toBeUndefined();
  });
});
