/**
 * Keeps the database password out of errors. pg's own messages rarely carry it, but a URL parser
 * may keep its input on the error (Node's ERR_INVALID_URL has `input`), and a caller may wrap the
 * URL into a message; so every error leaving the PostgreSQL store is masked by value.
 */
import { MASK } from './secrets.ts';

/**
 * The secret parts of a `postgres://user:password@host/db` URL: the password (raw and decoded),
 * a `?password=` parameter, and PGPASSWORD, which pg falls back to. Works on unparsable URLs too.
 */
export function connectionSecrets(url: string): string[] {
  const found = new Set<string>();
  const add = (value: string | null | undefined) => {
    if (!value) return;
    found.add(value);
    try {
      found.add(decodeURIComponent(value));
    } catch {
      // not percent-encoded: the raw value is enough
    }
  };
  add(/^[a-z][a-z0-9+.-]*:\/\/[^:/?#@]*:([^@/?#]*)@/i.exec(url)?.[1]);
  add(/[?&]password=([^&#]*)/.exec(url)?.[1]);
  add(process.env.PGPASSWORD);
  return [...found];
}

/**
 * Masks `secrets` in the error's message, stack and string properties, its `cause` and an
 * AggregateError's `errors`, in place: class, `code` and the SQLSTATE fields stay as pg set them.
 */
export function maskError<T>(err: T, secrets: readonly string[], seen = new Set<unknown>()): T {
  if (secrets.length === 0 || typeof err !== 'object' || err === null || seen.has(err)) return err;
  seen.add(err);
  const record = err as Record<string, unknown>;
  for (const key of [...Object.getOwnPropertyNames(err), 'message', 'stack']) {
    const value = record[key];
    if (typeof value === 'string') {
      const masked = mask(value, secrets);
      if (masked !== value) {
        try {
          record[key] = masked;
        } catch {
          // a read-only property: nothing we can do, and nothing pg sets that way
        }
      }
    } else if (key === 'cause' || key === 'errors') {
      for (const inner of Array.isArray(value) ? value : [value]) maskError(inner, secrets, seen);
    }
  }
  return err;
}

function mask(text: string, secrets: readonly string[]): string {
  let out = text;
  // Longest first, so a secret that contains another is masked whole.
  for (const secret of [...secrets].sort((a, b) => b.length - a.length)) out = out.split(secret).join(MASK);
  return out;
}
