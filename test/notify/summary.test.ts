import { describe, expect, it } from 'vitest';
import { extraLines, fieldsOf, summarize, truncate } from '../../src/notify/summary.ts';
import { ALL_EVENTS, EVENTS } from './fixtures.ts';

describe('summarize', () => {
  it.each([
    ['deploy-guarded', 'Guarding api (production) v42 deployed by alice@example.com'],
    ['release-failing', 'api (production) v42 is failing: health failed 3 rounds in a row'],
    ['rollback-started', 'Rolling back api (production) v42 → v41 (automatic): health failed'],
    ['rollback-finished', 'Rolled back api (production) v42 → v41, verified healthy in 2m5s'],
    ['rollback-failed', 'ROLLBACK FAILED for api (production) v42: fly deploy timed out'],
    ['rollback-held', 'Rollback of api (production) held (migration boundary): v42 ran migration 2025_05_add_index'],
    ['postmortem-required', 'Postmortem required for api (production), incident inc-7: 12m0s of impact'],
    ['known-bad-image-redeployed', 'api (production) v43 redeploys a known-bad image registry.fly.io/api:deployment-01HBAD (by bob@example.com)'],
  ] as const)('when %s then one readable line', (kind, line) => {
    expect(summarize(EVENTS[kind])).toBe(line);
  });

  it('says loudly when a finished rollback was not verified', () => {
    expect(summarize({ ...EVENTS['rollback-finished'], verified: false })).toContain('NOT verified');
  });

  it('names the actor of a manual rollback', () => {
    expect(summarize({ ...EVENTS['rollback-started'], trigger: 'manual', actor: 'ops-bot' })).toContain('(manual by ops-bot)');
  });
});

describe('fieldsOf', () => {
  it.each(ALL_EVENTS.map((e) => [e.kind, e] as const))('when %s then target, environment and incident are fields, none empty', (_kind, e) => {
    const fields = fieldsOf(e);
    expect(fields.slice(0, 2)).toEqual([
      { label: 'Target', value: 'api' },
      { label: 'Environment', value: 'production' },
    ]);
    expect(fields.at(-1)).toEqual({ label: 'Incident', value: 'inc-7' });
    expect(fields.every((f) => f.value.length > 0)).toBe(true);
  });

  it('shows versions and reason for a rollback', () => {
    expect(fieldsOf(EVENTS['rollback-started'])).toEqual(
      expect.arrayContaining([
        { label: 'Versions', value: 'v42 → v41' },
        { label: 'Reason', value: 'health failed' },
      ]),
    );
  });

  it('leaves out fields the event does not have', () => {
    const { user: _user, ...anonymous } = EVENTS['deploy-guarded'];
    expect(fieldsOf(anonymous).map((f) => f.label)).not.toContain('Deployed by');
  });
});

describe('extraLines', () => {
  it('lists failing measurements and operator commands; nothing for other kinds', () => {
    expect(extraLines(EVENTS['release-failing'])).toEqual(EVENTS['release-failing'].measurements);
    expect(extraLines(EVENTS['rollback-held'])).toEqual(['approve: rollback-watchdog approve api', 'veto: rollback-watchdog veto api']);
    expect(extraLines(EVENTS['rollback-failed'])).toEqual([]);
  });
});

describe('truncate', () => {
  it('keeps short text and marks a cut at exactly max characters', () => {
    expect(truncate('abc', 3)).toBe('abc');
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});
