import { describe, expect, it } from 'vitest';
import { accumulate, startAccumulator, totalCounts, type CounterSample } from '../../src/analysis/counter-accumulator.ts';
import { DEFAULT_ERROR_RATE_SPEC, judgeErrorRate } from '../../src/analysis/error-rate.ts';

const fold = (samples: CounterSample[], origin?: { requests: number; errors: number }) =>
  samples.reduce(accumulate, startAccumulator(origin));

describe('accumulate', () => {
  it('takes the first reading as the origin when none is given', () => {
    expect(fold([{ requests: 1000, errors: 10 }])).toMatchObject({ requests: 0, errors: 0, last: { requests: 1000, errors: 10 } });
  });

  it('adds deltas from a known origin', () => {
    const acc = fold([{ requests: 100, errors: 1 }, { requests: 250, errors: 4 }], { requests: 0, errors: 0 });
    expect(acc).toMatchObject({ requests: 250, errors: 4, resets: 0 });
  });

  // Each case starts from {0, 0}, so the first reading {500, 5} always counts in full.
  const first: CounterSample = { requests: 500, errors: 5 };
  it.each<[string, CounterSample[], { requests: number; errors: number; resets: number; rejected: number }]>([
    [
      'the requests counter goes down',
      [first, { requests: 30, errors: 0 }, { requests: 80, errors: 1 }],
      { requests: 550, errors: 6, resets: 1, rejected: 0 },
    ],
    [
      'only the errors counter goes down',
      [first, { requests: 600, errors: 2 }, { requests: 700, errors: 3 }],
      { requests: 600, errors: 6, resets: 1, rejected: 0 },
    ],
    [
      'the caller flags a reset though values rose',
      [first, { requests: 900, errors: 9, reset: true }, { requests: 950, errors: 9 }],
      { requests: 550, errors: 5, resets: 1, rejected: 0 },
    ],
    [
      'a reading is NaN',
      [first, { requests: Number.NaN, errors: 6 }, { requests: 700, errors: 7 }],
      { requests: 700, errors: 7, resets: 0, rejected: 1 },
    ],
    [
      'a reading is negative',
      [first, { requests: -1, errors: 0 }, { requests: 700, errors: 7 }],
      { requests: 700, errors: 7, resets: 0, rejected: 1 },
    ],
  ])('when %s then the counts stay sound', (_label, samples, expected) => {
    expect(fold(samples, { requests: 0, errors: 0 })).toMatchObject(expected);
  });

  it('does not mutate the previous accumulator', () => {
    const before = startAccumulator({ requests: 0, errors: 0 });
    const after = accumulate(before, { requests: 10, errors: 1 });
    expect(before).toEqual(startAccumulator({ requests: 0, errors: 0 }));
    expect(after.requests).toBe(10);
  });

  it('sums several series, so one machine restarting does not disturb the others', () => {
    let a = startAccumulator({ requests: 0, errors: 0 });
    let b = startAccumulator({ requests: 0, errors: 0 });
    a = accumulate(a, { requests: 1000, errors: 2 });
    b = accumulate(b, { requests: 1000, errors: 3 });
    b = accumulate(b, { requests: 40, errors: 0 }); // machine b restarted
    a = accumulate(a, { requests: 1100, errors: 2 });
    expect(totalCounts([a, b])).toEqual({ requests: 2100, errors: 5 });
  });

  it('never lets a reset turn a healthy stream into a failed judgment', () => {
    // cumulative readings of a clean release whose process restarts twice
    const readings = [400, 900, 1500, 60, 700, 1300, 20, 900].map((r) => ({ requests: r, errors: Math.floor(r / 200) }));
    let acc = startAccumulator({ requests: 0, errors: 0 });
    for (const reading of readings) {
      acc = accumulate(acc, reading);
      const counts = { requests: acc.requests, errors: acc.errors };
      const j = judgeErrorRate(DEFAULT_ERROR_RATE_SPEC, { ...counts, baselineRequests: 100_000, baselineErrors: 500 });
      expect(j.phase).not.toBe('failed');
    }
    expect(acc.resets).toBe(2);
  });
});
