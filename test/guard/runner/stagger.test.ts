import { describe, expect, it } from 'vitest';
import { MIN_SLOT_MS, TARGETS_PER_SLOT, staggerOffset } from '../../../src/guard/runner/stagger.ts';

const offsetsOf = (count: number, intervalMs: number) => Array.from({ length: count }, (_, i) => staggerOffset(i, count, intervalMs));
const perSlot = (offsets: number[]) => [...new Set(offsets)].map((slot) => offsets.filter((o) => o === slot).length);

describe('staggerOffset', () => {
  it.each([100, 1_000, 2_000])('spreads %i targets evenly over the interval, at most TARGETS_PER_SLOT to a slot', (count) => {
    const offsets = offsetsOf(count, 5_000);
    expect(new Set(perSlot(offsets))).toEqual(new Set([TARGETS_PER_SLOT]));
    expect(offsets).toEqual([...offsets].sort((a, b) => a - b));
    expect(Math.max(...offsets)).toBeLessThan(5_000);
    // Evenly: consecutive slots are the same distance apart.
    const slots = [...new Set(offsets)];
    expect(new Set(slots.slice(1).map((s, i) => s - slots[i]!))).toEqual(new Set([Math.floor(5_000 / slots.length)]));
  });

  it('starts a small fleet together (one wakeup per interval)', () => {
    expect(offsetsOf(10, 5_000)).toEqual(Array(10).fill(0));
  });

  it('never puts slots closer than MIN_SLOT_MS: past that, slots fill beyond TARGETS_PER_SLOT', () => {
    const offsets = offsetsOf(10_000, 5_000);
    const slots = [...new Set(offsets)];
    expect(slots).toHaveLength(5_000 / MIN_SLOT_MS);
    expect(slots[1]! - slots[0]!).toBe(MIN_SLOT_MS);
    expect(Math.max(...perSlot(offsets))).toBe(10_000 / slots.length);
  });

  it('starts everything at once when the interval is shorter than a slot', () => {
    expect(offsetsOf(100, 40)).toEqual(Array(100).fill(0));
  });
});
