/**
 * What flyctl's Go rendering does to output, reproduced so the fake fly is byte-compatible:
 * encoding/json with a 4-space indent (internal/render/render.go), tablewriter tables as flyctl
 * configures them, Go time layouts and flyctl's relative dates (internal/format/format.go).
 */

/**
 * json.Encoder with SetIndent("", "    "): same layout as JSON.stringify(v, null, 4), plus Go's
 * escaping (HTML-safe `<>&`, U+2028/2029, `\b` `\f` as \u escapes) and a trailing newline.
 * Key order is the object's insertion order: callers build objects in Go struct order and sort
 * keys where Go marshals a map.
 */
export function goJson(value: unknown): string {
  const text = JSON.stringify(value, null, 4) ?? 'null';
  return `${goEscape(text)}\n`;
}

/** Compact Go JSON (json.Marshal), e.g. the FLY_EMIT_RELEASE_JSON line. */
export function goJsonCompact(value: unknown): string {
  return goEscape(JSON.stringify(value) ?? 'null');
}

function goEscape(json: string): string {
  return json
    .replace(/\\([\\bf])/g, (pair, c: string) => (c === 'b' ? '\\u0008' : c === 'f' ? '\\u000c' : pair))
    .replace(/[<>&\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Go marshals maps with sorted keys. */
export function sortedKeys<V>(map: Record<string, V>): Record<string, V> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * render.Table: olekukonko/tablewriter v0.0.x with no borders, no header line, left alignment,
 * NoWhiteSpace and "\t" padding. Each cell is padded to its column width; header cells are
 * followed by a tab except the last (a space); row cells, the last included, by a tab. Headers
 * are upper-cased (SetAutoFormatHeaders). render.Table then prints a blank line.
 */
export function goTable(headers: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const pad = (text: string, i: number) => text.padEnd(widths[i] ?? 0, ' ');
  const last = headers.length - 1;
  let out = headers.map((h, i) => pad(h.replaceAll('_', ' ').toUpperCase(), i) + (i === last ? ' ' : '\t')).join('') + '\n';
  for (const row of rows) out += headers.map((_, i) => `${pad(row[i] ?? '', i)}\t`).join('') + '\n';
  return `${out}\n`;
}

/** time.RFC3339 in UTC: `2006-01-02T15:04:05Z` (no fraction). */
export function rfc3339(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

/** time.RFC3339Nano in UTC: fraction with trailing zeros removed, none when whole seconds. */
export function rfc3339Nano(ms: number): string {
  const iso = new Date(ms).toISOString();
  return iso.replace(/\.(\d+)Z$/, (_, frac: string) => {
    const trimmed = frac.replace(/0+$/, '');
    return trimmed ? `.${trimmed}Z` : 'Z';
  });
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** format.RelativeTime: `just now`, `45s ago`, `2m5s ago`, `2h5m ago`, else `Jan 2 2006 15:04`. */
export function relativeTime(ms: number, now: number): string {
  const past = ms <= now;
  const seconds = Math.abs(now - ms) / 1000;
  const suffix = past ? ' ago' : '';
  if (past && seconds < 1) return 'just now';
  if (seconds < 60) return `${Math.floor(seconds)}s${suffix}`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${Math.floor(seconds % 60)}s${suffix}`;
  if (seconds < 86400) return `${Math.floor(seconds / 3600)}h${Math.floor((seconds / 60) % 60)}m${suffix}`;
  const d = new Date(ms);
  const hh = String(d.getUTCHours()).padStart(2, '0');
  const mm = String(d.getUTCMinutes()).padStart(2, '0');
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ${d.getUTCFullYear()} ${hh}:${mm}`;
}
