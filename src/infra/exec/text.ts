/** Text clean-up shared by the CLI runner and the parsers. Pure functions. */
import { stripVTControlCharacters } from 'node:util';

/**
 * Strips ANSI colour/control sequences and normalizes line endings. flyctl may colour its output
 * even when piped (fly-facts §4), and `\r` progress updates would otherwise glue lines together.
 */
export function cleanText(text: string): string {
  return stripVTControlCharacters(text).replace(/\r\n?/g, '\n');
}

/** Non-blank lines of `text`, in order. */
export function nonBlankLines(text: string): string[] {
  return text.split('\n').filter((line) => line.trim() !== '');
}

/** The last `n` non-blank lines of `text`, joined with `\n`. */
export function lastLines(text: string, n: number): string {
  return nonBlankLines(text).slice(-n).join('\n');
}

/** Shortens `text` to `max` characters, marking the cut with `…`. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
