/**
 * Shared validation for flyctl's JSON output: either the whole document matches the schema or we
 * throw WD_ERR_PLATFORM_OUTPUT_INVALID naming the first problems. Never partial data.
 */
import type { z } from 'zod';
import { WD_ERR_PLATFORM_OUTPUT_INVALID } from '../../infra/errors.ts';
import { truncate } from '../../infra/exec/text.ts';

/** Issues listed in the error message; the rest are counted. */
const MAX_ISSUES_SHOWN = 3;

/** Parses `text` as JSON and validates it. `what` names the command, e.g. `fly releases --json`. */
export function parseJsonOutput<S extends z.ZodType>(what: string, text: string, schema: S): z.output<S> {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw invalidOutput(what, `not JSON: ${preview(text)}`);
  }
  return validate(what, data, schema);
}

/** Validates already-decoded data; throws WD_ERR_PLATFORM_OUTPUT_INVALID on the first mismatch. */
export function validate<S extends z.ZodType>(what: string, data: unknown, schema: S): z.output<S> {
  const result = schema.safeParse(data);
  if (!result.success) throw invalidOutput(what, formatIssues(result.error.issues));
  return result.data;
}

export function invalidOutput(what: string, problem: string): Error {
  return new WD_ERR_PLATFORM_OUTPUT_INVALID(`${what}: ${problem}`);
}

/** `[3].ImageRef: expected string, received undefined; … (+2 more)`. */
export function formatIssues(issues: readonly z.core.$ZodIssue[]): string {
  const shown = issues.slice(0, MAX_ISSUES_SHOWN).map((issue) => {
    const message = issue.message.replace(/^Invalid input: /, '');
    return issue.path.length === 0 ? message : `${formatPath(issue.path)}: ${message}`;
  });
  const more = issues.length - shown.length;
  return shown.join('; ') + (more > 0 ? ` (+${more} more)` : '');
}

/** `[3].ImageRef`, `Machines[0].image_ref.tag`. */
export function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

/** First 80 characters on one line, so a wall of HTML or a stack trace stays readable in a log. */
function preview(text: string): string {
  const oneLine = text.trim().replace(/\s+/g, ' ');
  return oneLine === '' ? '(empty output)' : truncate(oneLine, 80);
}
