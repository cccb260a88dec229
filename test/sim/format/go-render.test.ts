import { describe, expect, it } from 'vitest';
import { goJson, goJsonCompact, goTable, relativeTime, rfc3339, rfc3339Nano, sortedKeys } from '../../../src/sim/format/go-render.ts';

describe('goJson', () => {
  it('indents with 4 spaces, keeps insertion order and ends with a newline', () => {
    expect(goJson({ B: 1, A: [true, null], C: {} })).toBe('{\n    "B": 1,\n    "A": [\n        true,\n        null\n    ],\n    "C": {}\n}\n');
  });

  it('escapes like encoding/json: HTML characters, \\b, \\f, U+2028', () => {
    expect(goJsonCompact({ s: '<a href="x">&</a>' })).toBe('{"s":"\\u003ca href=\\"x\\"\\u003e\\u0026\\u003c/a\\u003e"}');
    expect(goJsonCompact('\b\f\u2028')).toBe('"\\u0008\\u000c\\u2028"');
    // An escaped backslash followed by a letter is not a control escape.
    expect(goJsonCompact('\\b')).toBe('"\\\\b"');
  });

  it('sortedKeys orders keys like a marshalled Go map', () => {
    expect(Object.keys(sortedKeys({ b: 1, a: 2, _c: 3 }))).toEqual(['_c', 'a', 'b']);
  });
});

describe('goTable', () => {
  it('pads cells, separates with tabs, upper-cases headers and ends with a blank line', () => {
    const table = goTable(['Version', 'Status'], [['v10', 'complete'], ['v9', 'failed']]);
    expect(table).toBe('VERSION\tSTATUS   \nv10    \tcomplete\t\nv9     \tfailed  \t\n\n');
  });

  it('prints just the header for no rows', () => {
    expect(goTable(['Docker Image'], [])).toBe('DOCKER IMAGE \n\n');
  });
});

describe('times', () => {
  const t = Date.UTC(2025, 7, 12, 16, 21, 0, 120);

  it('rfc3339 drops the fraction; rfc3339Nano trims trailing zeros', () => {
    expect(rfc3339(t)).toBe('2025-08-12T16:21:00Z');
    expect(rfc3339Nano(t)).toBe('2025-08-12T16:21:00.12Z');
    expect(rfc3339Nano(Date.UTC(2025, 0, 1))).toBe('2025-01-01T00:00:00Z');
  });

  it.each([
    [500, 'just now'],
    [45_000, '45s ago'],
    [125_000, '2m5s ago'],
    [2 * 3600_000 + 5 * 60_000, '2h5m ago'],
    [3 * 86400_000, 'Aug 9 2025 16:21'],
    [-30_000, '30s'],
  ])('relativeTime %i ms before now is %s', (ago, expected) => {
    expect(relativeTime(t - ago, t)).toBe(expected);
  });
});
