/**
 * What the launcher's entry points import (src/cli.ts, and src/main.ts that it imports to run the
 * daemon). Packages only some configurations use are imported on first
 * use, because every module a daemon loads stays resident (its code and source text): undici alone
 * was 7.5 MB of RSS. This keeps a new top-level import from quietly bringing one back.
 */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const LAUNCHED = ['../../src/cli.ts', '../../src/main.ts'].map((path) => new URL(path, import.meta.url).href);

/** Imports the modules the launcher starts with, recording every module resolved on the way. */
const LIST_LOADED = `
import module from 'node:module';
const loaded = new Set();
module.registerHooks({ resolve(specifier, context, next) { const r = next(specifier, context); loaded.add(r.url); return r; } });
for (const url of ${JSON.stringify(LAUNCHED)}) await import(url);
process.stdout.write(JSON.stringify([...loaded]));
`;

/** Packages (by node_modules directory) a daemon must not load before it needs them, and who needs them. */
const ON_FIRST_USE = {
  undici: 'notifications, Prometheus queries, migration markers, the connectivity check',
  execa: 'the spawn helper process only',
  pg: 'a PostgreSQL store',
};

describe('the daemon at startup', () => {
  it('does not load the packages only some configurations use', async () => {
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', LIST_LOADED], {
      cwd: fileURLToPath(new URL('../../', import.meta.url)),
      timeout: 30_000,
    });
    const loaded = JSON.parse(stdout) as string[];
    // The check itself must see packages: fastify is always loaded.
    expect(loaded.some((url) => url.includes('/node_modules/fastify/'))).toBe(true);
    const early = Object.entries(ON_FIRST_USE)
      .filter(([pkg]) => loaded.some((url) => url.includes(`/node_modules/${pkg}/`)))
      .map(([pkg, neededBy]) => `${pkg} (needed only by ${neededBy})`);
    expect(early, 'loaded at startup though only needed on first use').toEqual([]);
  }, 40_000);
});
