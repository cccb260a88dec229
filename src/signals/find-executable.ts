/**
 * Resolves a command's program before it is run. A smoke test whose program is missing is a broken
 * watchdog setup, not a broken release, so it must come back as `error` rather than `failed`; a
 * lookup up front tells the two apart without parsing spawn error messages.
 */
import { constants } from 'node:fs';
import { access, stat } from 'node:fs/promises';
import { delimiter, resolve } from 'node:path';

export type Executable = { ok: true; path: string } | { ok: false; reason: string };

/**
 * The absolute path of `program`, looked up like execvp does: a name containing `/` is taken
 * relative to `cwd`; a bare name is searched in `pathVariable`'s directories (relative ones
 * relative to `cwd`). Only regular files with execute permission count.
 */
export async function findExecutable(program: string, cwd: string, pathVariable: string | undefined): Promise<Executable> {
  if (program.includes('/')) {
    const path = resolve(cwd, program);
    return (await isExecutableFile(path)) ? { ok: true, path } : { ok: false, reason: `${program}: not found or not executable` };
  }
  for (const dir of (pathVariable ?? '').split(delimiter)) {
    // An empty PATH entry means the current directory (POSIX).
    const path = resolve(cwd, dir === '' ? '.' : dir, program);
    if (await isExecutableFile(path)) return { ok: true, path };
  }
  return { ok: false, reason: `${program}: not found on PATH` };
}

/** True when `dir` is an existing directory (a command's working directory). */
export async function isDirectory(dir: string): Promise<boolean> {
  try {
    return (await stat(dir)).isDirectory();
  } catch {
    return false;
  }
}

async function isExecutableFile(path: string): Promise<boolean> {
  try {
    if (!(await stat(path)).isFile()) return false;
    await access(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
