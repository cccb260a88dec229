/**
 * What the audit trail keeps of a request, made safe to store and to serve (issue 16): bounded in
 * depth, width and length whatever the client sent (a body nested 10,000 deep included), and with
 * every secret masked: configured secrets by value, values under token-like keys (`token`,
 * `*_token`, `password`, `authorization`, …), and credentials written into text (`Bearer …`,
 * `token=…`, Fly tokens). Pure functions.
 */
import { MASK, type SecretRegistry } from '../infra/secrets.ts';
import type { AuditEntry } from '../store/types.ts';

/** Parameters beyond this (as JSON) are kept as a clipped preview: the trail is not a body store. */
export const PARAMS_LIMIT = 2048;
/** Longest `result` or `target` kept. */
const TEXT_LIMIT = 500;
/** Deeper values become a marker: enough for any real admin request. */
const MAX_DEPTH = 8;
/** Values visited at most per request, so a wide body costs no more than a deep one. */
const MAX_NODES = 500;

/** A key whose value is a credential, whatever it holds. */
const SECRET_KEY = /token|passw(or)?d|secret|authori[sz]ation|api[-_]?key|credential|cookie|session/i;
/** `Bearer x`, `Basic x`, `FlyV1 x`: an Authorization header's value quoted in text (not "Basic checks"). */
const SCHEME_VALUE = /\b(Bearer|Basic|Digest|FlyV1)(\s+)[\w.~+/=-]{8,}/gi;
/** `token=x`, `api_key: x`, `FLY_API_TOKEN=x` in text, and `"token":"x"` in JSON text. */
const KEY_VALUE = /\b(\w*(?:token|passw(?:or)?d|secret|api[-_]?key)\w*)("?\s*[:=]\s*"?)(?!\[REDACTED\])[^\s"',;&]+/gi;
/** Fly's token formats (`fo1_…`, `fm2_…`), wherever they appear. */
const FLY_TOKEN = /\bf[mo]\d_[\w+/=-]{6,}/g;

/** `text` with every secret it holds masked. */
export function maskText(text: string, secrets?: SecretRegistry): string {
  const masked = secrets ? secrets.mask(text) : text;
  return masked
    .replace(SCHEME_VALUE, (_all, scheme: string, space: string) => `${scheme}${space}${MASK}`)
    .replace(KEY_VALUE, (_all, key: string, sep: string) => `${key}${sep}${MASK}`)
    .replace(FLY_TOKEN, MASK);
}

const clip = (text: string, limit: number) => (text.length > limit ? `${text.slice(0, limit)}…` : text);

/** Items kept per array and keys per object. */
const MAX_WIDTH = 50;

/**
 * A copy of `value` with secrets masked and its size bounded, and whether anything was cut; never
 * throws, whatever its shape (a recursive JSON.stringify of a deep body would overflow the stack).
 */
export function boundedCopy(value: unknown, secrets?: SecretRegistry): { copy: unknown; cut: boolean } {
  let nodes = 0;
  let cut = false;
  const walk = (v: unknown, depth: number): unknown => {
    if (++nodes > MAX_NODES) return ((cut = true), '[…]');
    if (typeof v === 'string') return maskText(clip(v, PARAMS_LIMIT), secrets);
    if (v === null || typeof v !== 'object') return typeof v === 'bigint' ? String(v) : v;
    if (depth >= MAX_DEPTH) return ((cut = true), '[nested too deep]');
    if (Array.isArray(v)) {
      if (v.length > MAX_WIDTH) cut = true;
      return v.slice(0, MAX_WIDTH).map((item) => walk(item, depth + 1));
    }
    const keys = Object.keys(v);
    if (keys.length > MAX_WIDTH) cut = true;
    const out: Record<string, unknown> = {};
    for (const key of keys.slice(0, MAX_WIDTH)) {
      const safeKey = maskText(clip(key, 100), secrets);
      out[safeKey] = SECRET_KEY.test(key) ? MASK : walk((v as Record<string, unknown>)[key], depth + 1);
    }
    return out;
  };
  const copy = walk(value, 0);
  return { copy, cut };
}

/** Path parameters, query and body as the trail keeps them; headers (and so tokens) never. */
export function auditParams(parts: { path?: unknown; query?: unknown; body?: unknown }, secrets?: SecretRegistry): Record<string, unknown> | undefined {
  const kept: Record<string, unknown> = {};
  if (isNonEmpty(parts.path)) kept.path = parts.path;
  if (isNonEmpty(parts.query)) kept.query = parts.query;
  if (parts.body !== undefined && parts.body !== null) kept.body = parts.body;
  if (Object.keys(kept).length === 0) return undefined;
  const { copy, cut } = boundedCopy(kept, secrets);
  const json = JSON.stringify(copy);
  if (json.length > PARAMS_LIMIT) return { truncated: true, preview: json.slice(0, PARAMS_LIMIT) };
  return cut ? { ...(copy as Record<string, unknown>), truncated: true } : (copy as Record<string, unknown>);
}

const isNonEmpty = (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v).length > 0;

/** Every string of an entry masked and clipped: on the way in, and again on the way out for rows stored before. */
export function cleanEntry(entry: AuditEntry, secrets?: SecretRegistry): AuditEntry {
  const text = (s: string) => maskText(clip(s, TEXT_LIMIT), secrets);
  return {
    ...entry,
    actor: text(entry.actor),
    role: text(entry.role),
    action: text(entry.action),
    ...(entry.target !== undefined && { target: text(entry.target) }),
    ...(entry.params !== undefined && { params: boundedCopy(entry.params, secrets).copy as Record<string, unknown> }),
    result: text(entry.result),
    ...(entry.source !== undefined && { source: text(entry.source) }),
  };
}
