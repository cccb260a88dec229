/**
 * JSON bodies: Fastify's own parser (with its prototype-poisoning checks), plus the one rule that
 * the parsed value can no longer show. A release `version` must be written as plain digits
 * (issue 16: `1e3` and `1.0` were taken as 1000 and 1, as `0x1` was in a path); JSON.parse's
 * source text access (a reviver's third argument) tells how each number was written.
 */
import type { FastifyInstance } from 'fastify';
import { WD_ERR_BAD_REQUEST } from '../infra/errors.ts';

/** The only spelling of a release number: what the status page, the CLI and flyctl print. */
export const RELEASE_NUMBER = /^[1-9][0-9]*$/;

type Reviver = (this: unknown, key: string, value: unknown, context?: { source?: string }) => unknown;

/** The first `version` number written other than as plain digits, or undefined. */
export function oddVersionSpelling(text: string): string | undefined {
  let odd: string | undefined;
  const reviver: Reviver = (key, value, context) => {
    if (key === 'version' && typeof value === 'number' && !RELEASE_NUMBER.test(context?.source ?? '')) odd ??= context?.source ?? String(value);
    return value;
  };
  JSON.parse(text, reviver as Parameters<typeof JSON.parse>[1]);
  return odd;
}

export function installJsonParser(app: FastifyInstance): void {
  const parse = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = String(body);
    parse(request, text, (err, parsed) => {
      if (err) return done(err, undefined);
      // Only bodies that name a version pay for the second pass.
      const odd = text.includes('"version"') ? oddVersionSpelling(text) : undefined;
      if (odd !== undefined) return done(new WD_ERR_BAD_REQUEST(`body.version: write the release number as digits only, like 42, not ${odd.slice(0, 40)}`), undefined);
      done(null, parsed);
    });
  });
}
