/**
 * Text from the daemon made safe for a terminal (issue 16: a pause reason holding escape sequences
 * cleared the operator's screen and printed fake lines through `status` and `watch`). Everything
 * the server sends is cleaned once, where the CLI parses it, and whatever the CLI prints passes a
 * last filter on the way out. Removed: escape sequences whole, the other C0 controls (a line break
 * or tab in a server string becomes a space, so one field cannot print as several lines), DEL, C1
 * controls, and the bidirectional overrides that make text read differently than it is stored.
 */

/** CSI (`ESC [ … final`), OSC and string commands (up to BEL or `ESC \`), and two-byte escapes. */
const ESCAPE_SEQUENCE = /\u001b(?:\[[0-?]*[ -/]*[@-~]?|[\]PX^_][^\u0007\u001b]*(?:\u0007|\u001b\\)?|[ -~]?)/g;
const LINE_BREAKS = /[\t\n\v\f\r\u0085\u2028\u2029]/g;
const CONTROLS = /[\u0000-\u001f\u007f-\u009f]/g;
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;
/** The same, but a newline stays: the CLI's own output is made of lines. */
const CONTROLS_BUT_NEWLINE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f]/g;

/** One string from the server, as it may be printed: one line, nothing the terminal would obey. */
export function safeText(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(LINE_BREAKS, ' ').replace(CONTROLS, '').replace(BIDI, '');
}

/** Deeper than this, a hostile answer's nesting is cut rather than followed. */
const MAX_DEPTH = 64;

/** A parsed answer with every string (keys too) passed through safeText. */
export function safeDeep(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return safeText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[…]';
  if (Array.isArray(value)) return value.map((item) => safeDeep(item, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [safeText(k), safeDeep(v, depth + 1)]));
}

/** The last filter before stdout or stderr: what safeText removes, except the CLI's own newlines. */
export function terminalSafe(text: string): string {
  return text.replace(ESCAPE_SEQUENCE, '').replace(CONTROLS_BUT_NEWLINE, '').replace(BIDI, '');
}
