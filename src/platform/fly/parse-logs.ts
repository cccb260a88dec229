/**
 * `fly logs --no-tail` output (fly-facts §4). Text mode is one entry per line,
 * `<RFC3339> <provider>[<instance>] <region> [<level>]<message>`; `--json` is a stream of indented
 * objects written back to back (not NDJSON), so it needs a small splitter.
 */
import { z } from 'zod';
import { cleanText, nonBlankLines } from '../../infra/exec/text.ts';
import { invalidOutput, validate } from './parse-output.ts';

/** Log lines, oldest first, ANSI stripped and blank lines dropped. Text mode has no schema to fail. */
export function parseLogText(stdout: string): string[] {
  return nonBlankLines(cleanText(stdout)).map((line) => line.trimEnd());
}

export const FlyLogEntry = z.object({
  timestamp: z.string(),
  level: z.string(),
  instance: z.string(),
  region: z.string(),
  message: z.string(),
  meta: z.object({ Event: z.object({ Provider: z.string().nullish() }).nullish() }).nullish(),
});
export type FlyLogEntry = z.infer<typeof FlyLogEntry>;

/** Parses a `fly logs --json` stream; all entries validate or the whole stream is rejected. */
export function parseLogJsonStream(stdout: string): FlyLogEntry[] {
  return splitJsonStream(stdout).map((doc, i) => {
    let data: unknown;
    try {
      data = JSON.parse(doc);
    } catch {
      throw invalidOutput('fly logs --json', `entry ${i} is not JSON: ${doc.slice(0, 80)}`);
    }
    return validate(`fly logs --json: entry ${i}`, data, FlyLogEntry);
  });
}

/**
 * Splits concatenated top-level JSON objects by tracking brace depth outside strings. Text between
 * objects must be whitespace; anything else (or an unterminated object) is invalid output.
 */
export function splitJsonStream(text: string): string[] {
  const docs: string[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i] ?? '';
    if (depth === 0) {
      if (ch === '{') {
        depth = 1;
        start = i;
      } else if (!/\s/.test(ch)) {
        throw invalidOutput('fly logs --json', `unexpected ${JSON.stringify(ch)} between entries at offset ${i}`);
      }
    } else if (inString) {
      if (ch === '\\') i++; // skip the escaped character, which may be a quote
      else if (ch === '"') inString = false;
    } else if (ch === '"') {
      inString = true;
    } else if (ch === '{') {
      depth++;
    } else if (ch === '}' && --depth === 0) {
      docs.push(text.slice(start, i + 1));
    }
  }
  if (depth !== 0) throw invalidOutput('fly logs --json', 'stream ends inside an entry');
  return docs;
}
