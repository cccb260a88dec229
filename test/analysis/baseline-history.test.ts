import { describe, expect, it } from 'vitest';
import { addBaselineReading, addBaselineReadings, baselineHistoryUntil, compactBaselineHistory, DEFAULT_BASELINE_POLICY, emptyBaselineHistory, mergeBaselineHistories, type BaselineReading } from '../../src/analysis/baseline-history.ts';
import { type BaselineHistory } from '../../src/domain/error-rate-evidence.ts';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const T0 = Date.UTC(2026, 0, 1);

/** A reading every 15 s for `minutes`, 300 requests a minute with `errors(minute)` errors in its first reading. */
function readings(minutes: number, errors: (minute: number) => number = () => 3, start = T0): BaselineReading[] {
  const out: BaselineReading[] = [];
  for (let m = 0; m < minutes; m++) {
    for (let q = 0; q < 4; q++) out.push({ at: start + m * MINUTE + q * 15_000 + 1, requests: 75, errors: q === 0 ? errors(m) : 0 });
  }
  return out;
}

const fold = (rs: readonly BaselineReading[], h: BaselineHistory = emptyBaselineHistory()) => rs.reduce((acc, r) => addBaselineReading(acc, r), h);
const totals = (h: BaselineHistory) => h.blocks.reduce((s, b) => ({ requests: s.requests + b.requests, errors: s.errors + b.errors }), { requests: 0, errors: 0 });

describe('baseline history', () => {
  it('sums readings into one-minute blocks whose peak and minute statistics are themselves', () => {
    const h = fold(readings(3));
    expect(h.blocks).toHaveLength(3);
    expect(h.blocks[0]).toEqual({ start: T0, end: T0 + MINUTE, requests: 300, errors: 3, peakRequests: 300, peakErrors: 3, minutes: 1, minuteSquares: 9 / 300 });
  });

  it('keeps a day in a bounded number of blocks, merging by age, and loses no counts within retention', () => {
    const day = readings(24 * 60);
    const h = fold(day);
    // 60 one-minute blocks, 60 five-minute blocks (1–6 h), 36 thirty-minute blocks (6–24 h), a few waiting their turn.
    expect(h.blocks.length).toBeLessThanOrEqual(170);
    expect(totals(h)).toEqual({ requests: 24 * 60 * 300, errors: 24 * 60 * 3 });
    const oldest = h.blocks[0];
    expect(oldest && oldest.end - oldest.start).toBe(30 * MINUTE);
    expect(oldest?.minutes).toBe(30);
    expect(JSON.parse(JSON.stringify(h))).toEqual(h);
  });

  it('drops what ended before the retention and never holds more than maxBlocks', () => {
    const now = T0 + 30 * HOUR;
    const h = compactBaselineHistory(fold(readings(30 * 60)), now);
    const first = h.blocks[0];
    expect(first && first.end).toBeGreaterThan(now - DEFAULT_BASELINE_POLICY.retentionMs);
    expect(first && first.end - DEFAULT_BASELINE_POLICY.retentionMs).toBeLessThanOrEqual(now);
    const capped = compactBaselineHistory(h, now, { ...DEFAULT_BASELINE_POLICY, maxBlocks: 10 });
    expect(capped.blocks).toHaveLength(10);
    expect(capped.blocks.at(-1)).toEqual(h.blocks.at(-1));
  });

  it('gives the same history whether readings come one by one or in bulk', () => {
    const rs = readings(9 * 60, (m) => (m % 97 === 0 ? 40 : m % 3));
    // Equal but for the order of floating-point sums.
    const rounded = (h: BaselineHistory) => h.blocks.map((b) => ({ ...b, minuteSquares: b.minuteSquares.toFixed(9) }));
    expect(rounded(addBaselineReadings(emptyBaselineHistory(), rs))).toEqual(rounded(compactBaselineHistory(fold(rs), rs.at(-1)?.at ?? 0)));
  });

  it('keeps the worst minute of a merged block visible', () => {
    const h = fold(readings(3 * 60, (m) => (m === 10 ? 60 : 3)));
    const burst = h.blocks.find((b) => b.start <= T0 + 10 * MINUTE && T0 + 10 * MINUTE < b.end);
    expect(burst && burst.end - burst.start).toBe(5 * MINUTE);
    expect(burst).toMatchObject({ peakErrors: 60, peakRequests: 300, errors: 72, minutes: 5 });
  });

  it.each<[string, BaselineReading]>([
    ['negative requests', { at: T0, requests: -1, errors: 0 }],
    ['NaN errors', { at: T0, requests: 10, errors: Number.NaN }],
    ['more errors than requests', { at: T0, requests: 1, errors: 2 }],
    ['no valid time', { at: Number.NaN, requests: 1, errors: 0 }],
  ])('ignores a reading with %s', (_label, r) => {
    const h = fold(readings(2));
    expect(addBaselineReading(h, r)).toBe(h);
  });

  it('places a late reading in the block that covers it and drops one too old to place', () => {
    const h = fold(readings(3));
    const late = addBaselineReading(h, { at: T0 + 30_000, requests: 10, errors: 1 });
    expect(late.blocks[0]).toMatchObject({ requests: 310, errors: 4 });
    expect(addBaselineReading(h, { at: T0 - HOUR, requests: 10, errors: 1 })).toBe(h);
  });

  it('cuts at a time, keeping only blocks that ended by then', () => {
    const h = fold(readings(10));
    expect(baselineHistoryUntil(h, T0 + 5 * MINUTE + 30_000).blocks).toHaveLength(5);
  });

  it('merges a passed guard window into the baseline, summing overlaps', () => {
    const stable = fold(readings(60));
    const guard = fold(readings(30, () => 6, T0 + 59 * MINUTE));
    const merged = mergeBaselineHistories(stable, guard, T0 + 89 * MINUTE + 59_000);
    expect(totals(merged)).toEqual({ requests: totals(stable).requests + totals(guard).requests, errors: totals(stable).errors + totals(guard).errors });
    const starts = merged.blocks.map((b) => b.start);
    expect(starts).toEqual([...starts].sort((a, b) => a - b));
    expect(new Set(starts).size).toBe(starts.length);
  });
});
