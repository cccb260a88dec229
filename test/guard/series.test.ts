import { describe, expect, it } from 'vitest';
import { MeasurementSeries } from '../../src/guard/series.ts';

const rate = (at: number) => ({ at, phase: 'successful', rate: 0.01, baselineRate: 0.01, threshold: 0.05, requests: 100, errors: 1 });

describe('MeasurementSeries', () => {
  it('keeps each target apart, oldest first, and filters by since', () => {
    const s = new MeasurementSeries();
    s.addRate('api', rate(1));
    s.addRate('api', rate(2));
    s.addRate('worker', rate(3));
    s.addProbe('api', { at: 2, check: 'health', phase: 'failed', detail: 'HTTP 500' });
    expect(s.get('api').rates.map((p) => p.at)).toEqual([1, 2]);
    expect(s.get('api', 2).rates.map((p) => p.at)).toEqual([2]);
    expect(s.get('api').probes).toEqual([{ at: 2, check: 'health', phase: 'failed', detail: 'HTTP 500' }]);
    expect(s.get('worker').rates.map((p) => p.at)).toEqual([3]);
    expect(s.get('unknown')).toEqual({ rates: [], probes: [] });
  });

  it('is bounded: the oldest points go first', () => {
    const s = new MeasurementSeries({ rateCapacity: 8 });
    for (let at = 0; at < 1_000; at++) s.addRate('api', rate(at));
    const kept = s.get('api').rates;
    expect(kept.length).toBeGreaterThanOrEqual(8);
    expect(kept.length).toBeLessThanOrEqual(9);
    expect(kept.at(-1)?.at).toBe(999);
  });

  it('returns copies: a caller cannot change what is kept', () => {
    const s = new MeasurementSeries();
    s.addRate('api', rate(1));
    s.get('api').rates.pop();
    expect(s.get('api').rates).toHaveLength(1);
  });

  it('drops points without numbers (an unreadable source), which JSON could not carry', () => {
    const s = new MeasurementSeries();
    s.addRate('api', { ...rate(1), rate: Number.NaN, baselineRate: Number.NaN, threshold: Number.NaN });
    s.addRate('api', { ...rate(2), threshold: Number.POSITIVE_INFINITY });
    s.addRate('api', rate(3));
    expect(s.get('api').rates.map((p) => p.at)).toEqual([3]);
  });

  it('forgets a dropped target', () => {
    const s = new MeasurementSeries();
    s.addProbe('api', { at: 1, check: 'health', phase: 'successful' });
    s.drop('api');
    expect(s.get('api').probes).toEqual([]);
  });
});
