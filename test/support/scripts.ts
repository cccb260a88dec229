/** Tiny real executables in a temp dir, so command runners are tested through a real spawn. */
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface ScriptDir {
  dir: string;
  /** Writes an executable `#!/bin/sh` script with `body`; returns its absolute path. */
  script(name: string, body: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function scriptDir(prefix = 'wd-scripts-'): Promise<ScriptDir> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  return {
    dir,
    async script(name, body) {
      const path = join(dir, name);
      await writeFile(path, `#!/bin/sh\n${body}\n`);
      await chmod(path, 0o755);
      return path;
    },
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
