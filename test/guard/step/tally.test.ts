import { describe, expect, it } from 'vitest';
import { allPassing, failingProbes, foldRound } from '../../../src/guard/step/tally.ts';
import { round } from './fixtures.ts';

describe('probe tallies', () => {
  it('counts consecutive failures and resets them on a success', () => {
    let t = foldRound({}, round('failed'));
    t = foldRound(t, round('error'));
    expect(t.health).toMatchObject({ rounds: 2, failures: 2, consecutiveFailures: 2, consecutiveSuccesses: 0 });
    t = foldRound(t, round('successful'));
    expect(t.health).toMatchObject({ rounds: 3, failures: 2, consecutiveFailures: 0, consecutiveSuccesses: 1 });
  });

  it('treats inconclusive as neither pass nor fail and keeps the streak', () => {
    let t = foldRound({}, round('failed'));
    t = foldRound(t, round('inconclusive'));
    expect(t.health).toMatchObject({ rounds: 1, consecutiveFailures: 1 });
  });

  it('reports probes at the threshold with their last detail', () => {
    let t = {};
    for (let i = 0; i < 3; i++) t = foldRound(t, round('failed', 0, ['ready']));
    expect(failingProbes(t, 3).map((f) => f.line)).toEqual(['ready failed 3× in a row (503 (expected 200))']);
    expect(failingProbes(t, 4)).toEqual([]);
  });

  it('requires every probe to pass the required rounds', () => {
    let t = foldRound({}, round('successful', 0, ['health']));
    expect(allPassing(t, ['health', 'ready'], 1)).toBe(false);
    t = foldRound(t, round('successful', 0, ['health', 'ready']));
    expect(allPassing(t, ['health', 'ready'], 1)).toBe(true);
    expect(allPassing(t, ['health', 'ready'], 2)).toBe(false);
  });
});
