import { describe, expect, it } from 'vitest';
import { errorProbability, formatProfile, isListening, isReady, parseProfile, responseDelayMs } from '../../src/sim/profile.ts';

describe('parseProfile', () => {
  it.each([
    ['healthy', { kind: 'healthy' }],
    ['down', { kind: 'down' }],
    ['unready', { kind: 'unready' }],
    ['errors:30', { kind: 'errors', percent: 30 }],
    ['errors:2.5', { kind: 'errors', percent: 2.5 }],
    ['slow:750', { kind: 'slow', delayMs: 750 }],
  ])('when %s then %o', (spec, expected) => {
    expect(parseProfile(spec)).toEqual(expected);
    expect(formatProfile(parseProfile(spec))).toBe(spec);
  });

  it.each(['broken', 'errors', 'errors:abc', 'errors:101', 'slow', 'healthy:1', 'errors:5:slow', ''])(
    'when %j then SIM_ERR_PROFILE_INVALID',
    (spec) => {
      expect(() => parseProfile(spec)).toThrow(expect.objectContaining({ code: 'SIM_ERR_PROFILE_INVALID' }));
    },
  );
});

describe('behaviour questions', () => {
  it('only down stops listening; down and unready are not ready', () => {
    expect(isListening(parseProfile('down'))).toBe(false);
    expect(isListening(parseProfile('unready'))).toBe(true);
    expect(isReady(parseProfile('unready'))).toBe(false);
    expect(isReady(parseProfile('slow:10'))).toBe(true);
  });

  it('healthy traffic fails at the baseline but healthy probes never do', () => {
    expect(errorProbability(parseProfile('healthy'), 0.005)).toBe(0.005);
    expect(errorProbability(parseProfile('healthy'), 0.005, false)).toBe(0);
    expect(errorProbability(parseProfile('errors:40'), 0.005, false)).toBe(0.4);
  });

  it('slow delays responses', () => {
    expect(responseDelayMs(parseProfile('slow:250'))).toBe(250);
    expect(responseDelayMs(parseProfile('healthy'))).toBe(0);
  });
});
