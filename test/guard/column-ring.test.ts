import { describe, expect, it } from 'vitest';
import { ColumnRing } from '../../src/guard/column-ring.ts';

const contents = (ring: ColumnRing) => {
  const out: [number[], (string | undefined)[]][] = [];
  ring.forEach((n, s) => out.push([[...n], [...s]]));
  return out;
};

describe('ColumnRing', () => {
  it('keeps records oldest first, by column', () => {
    const ring = new ColumnRing(10, 2, 1);
    ring.push([1, 10], ['a']);
    ring.push([2, 20], [undefined]);
    expect(contents(ring)).toEqual([
      [[1, 10], ['a']],
      [[2, 20], [undefined]],
    ]);
    expect(ring.length).toBe(2);
  });

  it.each([1, 7, 32, 33, 100])('holds exactly the last %i records however many were pushed (growing past its first allocation)', (capacity) => {
    const ring = new ColumnRing(capacity, 1, 1);
    for (let i = 0; i < 250; i++) {
      ring.push([i], [`s${i}`]);
      const expected = Array.from({ length: Math.min(i + 1, capacity) }, (_, k) => i + 1 - Math.min(i + 1, capacity) + k);
      expect(contents(ring).map(([n]) => n[0])).toEqual(expected);
    }
    expect(contents(ring).at(-1)).toEqual([[249], ['s249']]);
  });

  it('refuses a capacity that is not a positive integer', () => {
    expect(() => new ColumnRing(0, 1, 1)).toThrow(/capacity/);
    expect(() => new ColumnRing(1.5, 1, 1)).toThrow(/capacity/);
  });
});
