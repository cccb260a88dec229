import { describe, expect, it } from 'vitest';
import { checkRails, deployRetryDelay } from '../../../src/guard/step/rails.ts';
import { policy } from './fixtures.ts';

describe('checkRails', () => {
  const base = { policy, now: 10_000_000, recentAutomatic: [], hasTarget: true };

  it('proceeds when nothing stands in the way', () => {
    expect(checkRails(base)).toEqual({ proceed: true });
  });

  it('names the most important reason first: no target beats everything', () => {
    const r = checkRails({ ...base, hasTarget: false, policy: { ...policy, mode: 'dry-run', paused: true }, migrationCrossing: 'x' });
    expect(r).toMatchObject({ proceed: false, hold: 'no-known-good' });
  });

  it('a migration boundary beats dry-run, pause and approval', () => {
    const r = checkRails({ ...base, policy: { ...policy, mode: 'approve', paused: true }, migrationCrossing: 'v5 applied 0007' });
    expect(r).toMatchObject({ proceed: false, hold: 'migration' });
  });
});

describe('deployRetryDelay', () => {
  it.each([
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [10, 120_000],
  ])('attempt %i waits %i ms', (attempt, ms) => expect(deployRetryDelay(attempt, 10_000, 120_000)).toBe(ms));
});
