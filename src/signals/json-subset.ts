/**
 * Matches a response body against an expected JSON subset, the way a health endpoint is checked:
 * `{status: "ok"}` passes for `{"status":"ok","version":"1.4.2"}`. Pure.
 */
import { isDeepStrictEqual } from 'node:util';
import { truncate } from '../infra/exec/text.ts';

/** Longest rendering of a value in a mismatch line; bodies can be large, details are one line. */
const MAX_VALUE_CHARS = 80;

/**
 * The first mismatch as one line (`body.status: expected "ok", got "degraded"`), or undefined when
 * every key of `expected` is present in `actual` with an equal value. Objects recurse, so extra
 * keys at any depth are allowed; arrays and scalars must be equal.
 */
export function findJsonMismatch(expected: Record<string, unknown>, actual: unknown, path = 'body'): string | undefined {
  if (!isPlainObject(actual)) return `${path}: expected an object, got ${render(actual)}`;
  for (const [key, want] of Object.entries(expected)) {
    const keyPath = `${path}${/^[A-Za-z_$][\w$]*$/.test(key) ? `.${key}` : `[${JSON.stringify(key)}]`}`;
    if (!Object.hasOwn(actual, key)) return `${keyPath}: expected ${render(want)}, got nothing`;
    const got = actual[key];
    if (isPlainObject(want)) {
      const nested = findJsonMismatch(want, got, keyPath);
      if (nested) return nested;
    } else if (!isDeepStrictEqual(want, got)) {
      return `${keyPath}: expected ${render(want)}, got ${render(got)}`;
    }
  }
  return undefined;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function render(value: unknown): string {
  return truncate(JSON.stringify(value) ?? String(value), MAX_VALUE_CHARS);
}
