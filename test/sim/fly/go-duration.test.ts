import { describe, expect, it } from 'vitest';
import { parseGoDuration } from '../../../src/sim/fly/go-duration.ts';

describe('parseGoDuration', () => {
  it.each([
    ['5m0s', 300_000],
    ['30s', 30_000],
    ['1h30m', 5_400_000],
    ['1.5s', 1500],
    ['250ms', 250],
    ['0', 0],
    ['-2s', -2000],
  ])('%s is %i ms', (text, ms) => {
    expect(parseGoDuration(text)).toBe(ms);
  });

  it.each(['', '5', 'm', '5 m', '5x', '1h junk'])('rejects %j', (text) => {
    expect(parseGoDuration(text)).toBeUndefined();
  });
});
