import { describe, expect, it } from 'vitest';
import { backoffDelay, parseRetryAfter } from '../../src/notify/backoff.ts';

const policy = { initialDelayMs: 1000, maxDelayMs: 60_000 };

describe('backoffDelay', () => {
  it.each([
    [1, 0, 500],
    [1, 1, 1000],
    [2, 1, 2000],
    [3, 0.5, 3000],
    [7, 1, 60_000],
    [20, 0, 30_000],
  ])('when retry %i and random %d then %i ms', (retry, random, expected) => {
    expect(backoffDelay(retry, policy, () => random)).toBe(expected);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.UTC(2025, 0, 1, 0, 0, 0);

  it.each([
    ['delta seconds', '7', 7000],
    ['an HTTP date', 'Wed, 01 Jan 2025 00:00:30 GMT', 30_000],
    ['a date in the past', 'Tue, 31 Dec 2024 23:00:00 GMT', 0],
    ['the first of repeated headers', ['2', '9'], 2000],
  ])('when %s then its delay', (_label, header, ms) => {
    expect(parseRetryAfter(header, now)).toBe(ms);
  });

  it.each([undefined, '', 'soon', '-5'])('when %j then undefined (fall back to backoff)', (header) => {
    expect(parseRetryAfter(header, now)).toBeUndefined();
  });
});
