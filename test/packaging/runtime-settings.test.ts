import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { PRODUCTION_RUNTIME_ENV } from '../../bench/scale/runtime.ts';

const root = new URL('../../', import.meta.url);
const read = (path: string) => readFileSync(new URL(path, root), 'utf8');

describe('runtime settings: what the scale benchmark measures is what is deployed', () => {
  const settings = Object.entries(PRODUCTION_RUNTIME_ENV);

  it('the Dockerfile sets each of them, through the launcher that reads its compile cache', () => {
    const dockerfile = read('Dockerfile');
    // A value with spaces is quoted in the Dockerfile.
    for (const [key, value] of settings) expect(dockerfile).toMatch(new RegExp(`^(ENV |\\s+)${key}=("?)${value.replace(/[-/\\^$*+?.()|[\]{}]/g, '\\$&')}\\2(\\s|$)`, 'm'));
    expect(dockerfile).toMatch(/NODE_COMPILE_CACHE=\S+/);
    expect(dockerfile).toMatch(/^ENTRYPOINT \[.*"node", "bin\/rollback-watchdog\.js"\]$/m);
  });

  it('`npm start` runs the launcher with the same settings', () => {
    const start = (JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts.start!;
    expect(start).toContain('bin/rollback-watchdog.js run');
    for (const [key, value] of settings) {
      if (key === 'NODE_OPTIONS') for (const flag of value.split(' ')) expect(start).toContain(` ${flag} `);
      else expect(start).toContain(`${key}=${value} `);
    }
  });
});
