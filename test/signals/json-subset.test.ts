import { describe, expect, it } from 'vitest';
import { findJsonMismatch } from '../../src/signals/json-subset.ts';

describe('findJsonMismatch', () => {
  it.each([
    ['an empty expectation', {}, { anything: 1 }],
    ['equal scalars', { status: 'ok', up: true, n: 3, none: null }, { status: 'ok', up: true, n: 3, none: null, extra: 'x' }],
    ['a nested subset', { a: { b: { c: 1 } } }, { a: { b: { c: 1, d: 2 }, e: 3 } }],
    ['equal arrays', { list: [1, { x: 2 }] }, { list: [1, { x: 2 }] }],
  ])('when %s then no mismatch', (_what, expected, actual) => {
    expect(findJsonMismatch(expected, actual)).toBeUndefined();
  });

  it.each([
    ['a different value', { status: 'ok' }, { status: 'degraded' }, 'body.status: expected "ok", got "degraded"'],
    ['a different type', { n: 3 }, { n: '3' }, 'body.n: expected 3, got "3"'],
    ['a missing key', { db: 'ok' }, {}, 'body.db: expected "ok", got nothing'],
    ['a nested difference', { a: { b: 1 } }, { a: { b: 2 } }, 'body.a.b: expected 1, got 2'],
    ['an object where a scalar is', { a: { b: 1 } }, { a: 'x' }, 'body.a: expected an object, got "x"'],
    ['a body that is an array', { a: 1 }, [1], 'body: expected an object, got [1]'],
    ['a key that is not an identifier', { 'db-primary': 'ok' }, { 'db-primary': 'down' }, 'body["db-primary"]: expected "ok", got "down"'],
    ['an array with other items', { list: [1, 2] }, { list: [2, 1] }, 'body.list: expected [1,2], got [2,1]'],
  ])('when %s then names the key', (_what, expected, actual, detail) => {
    expect(findJsonMismatch(expected, actual)).toBe(detail);
  });

  it('keeps the detail one short line when values are large', () => {
    const detail = findJsonMismatch({ blob: 'x' }, { blob: 'y'.repeat(10_000) }) ?? '';
    expect(detail.length).toBeLessThan(200);
    expect(detail).toMatch(/…$/);
  });
});
