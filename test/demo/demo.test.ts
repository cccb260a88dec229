/**
 * `npm run demo` is the README's first command: it must end with the broken release rolled back to
 * the healthy one, as its summary says. It runs the real daemon against the simulator, so this is
 * also the shortest end-to-end check that the defaults and the first-start story still fit together.
 */
import { execa } from 'execa';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const DEMO = fileURLToPath(new URL('../../src/demo/demo.ts', import.meta.url));

describe('npm run demo', () => {
  it('marks v1 good as an operator would, guards v2, and rolls the broken v3 back to it', async () => {
    const run = await execa(process.execPath, [DEMO], { reject: false, timeout: 90_000, all: true });
    const output = String(run.all);
    expect(run.exitCode, output.slice(-3000)).toBe(0);
    expect(output).toMatch(/marked-good +v1 marked good by /);
    expect(output).toMatch(/guard-passed +v2 marked good: healthy for the whole/);
    expect(output).toMatch(/rollback-verified +rolled back from v3 to the image of v2/);
    expect(output).toMatch(/Running image: .* = the healthy image/);
  }, 100_000);
});
