import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findExecutable, isDirectory } from '../../src/signals/find-executable.ts';
import { scriptDir, type ScriptDir } from '../support/scripts.ts';

let scripts: ScriptDir;
let tool: string;
beforeAll(async () => {
  scripts = await scriptDir('wd-find-');
  await mkdir(join(scripts.dir, 'bin'));
  tool = await scripts.script('bin/wd-tool', 'exit 0');
  await mkdir(join(scripts.dir, 'bin/wd-dir'));
});
afterAll(() => scripts.cleanup());

describe('findExecutable', () => {
  it('finds a bare name on PATH, in order', async () => {
    expect(await findExecutable('wd-tool', '/', `/nonexistent:${join(scripts.dir, 'bin')}`)).toEqual({ ok: true, path: tool });
  });

  it('resolves a relative PATH entry and a relative program against cwd', async () => {
    expect(await findExecutable('wd-tool', scripts.dir, 'bin')).toEqual({ ok: true, path: tool });
    expect(await findExecutable('./bin/wd-tool', scripts.dir, '')).toEqual({ ok: true, path: tool });
  });

  it.each([
    ['a name on no PATH entry', 'wd-tool', '/nonexistent'],
    ['a directory', 'wd-dir', 'bin'],
    ['a missing path', './bin/missing', 'bin'],
  ])('rejects %s', async (_what, program, path) => {
    expect((await findExecutable(program, scripts.dir, path)).ok).toBe(false);
  });

  it('tells directories apart', async () => {
    expect(await isDirectory(scripts.dir)).toBe(true);
    expect(await isDirectory(tool)).toBe(false);
    expect(await isDirectory('/nonexistent')).toBe(false);
  });
});
