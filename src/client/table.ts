/** Plain-text output helpers for the CLI: borderless aligned tables (like flyctl) and short times. */

/** Headers upper-cased, columns separated by two spaces, no trailing blanks. Missing cells print `-`. */
export function table(headers: readonly string[], rows: readonly (readonly (string | undefined)[])[]): string {
  const cells = [headers.map((h) => h.toUpperCase()), ...rows.map((r) => headers.map((_, i) => r[i] || '-'))];
  // Code points rather than UTF-16 units, so a name outside the BMP does not shift later columns.
  const width = (s: string) => [...s].length;
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => width(r[i] ?? ''))));
  return cells.map((r) => r.map((c, i) => c + ' '.repeat((widths[i] ?? 0) - width(c))).join('  ').trimEnd()).join('\n');
}

/** `42s ago`, `5m ago`, `in 3h`: precise enough to read at a glance, from an ISO time or epoch ms. */
export function relative(at: string | number | undefined, now: number): string | undefined {
  if (at === undefined) return undefined;
  const ms = typeof at === 'number' ? at : Date.parse(at);
  if (Number.isNaN(ms)) return undefined;
  const diff = Math.abs(now - ms) / 1000;
  const [value, unit] = diff < 90 ? [diff, 's'] : diff < 5400 ? [diff / 60, 'm'] : diff < 129_600 ? [diff / 3600, 'h'] : [diff / 86_400, 'd'];
  const text = `${Math.round(value)}${unit}`;
  return ms <= now ? `${text} ago` : `in ${text}`;
}

export const yesNo = (b: boolean | undefined) => (b ? 'yes' : 'no');
