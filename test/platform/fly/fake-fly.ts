/**
 * Test harness: fixtures, and tiny real `#!/bin/sh` executables standing in for flyctl, so runCli
 * and FlyPlatform are exercised through a real spawn (argv, env, signals, pipes) without a network.
 */
import { chmod, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, 'fixtures');

export function fixture(name: string): Promise<string> {
  return readFile(join(FIXTURES, name), 'utf8');
}

export interface FakeFlyDir {
  dir: string;
  /** Writes an executable script whose body is `body`; returns its path. */
  script(name: string, body: string): Promise<string>;
  /** Reads a file the script wrote into `dir`. */
  read(name: string): Promise<string>;
  cleanup(): Promise<void>;
}

export async function fakeFlyDir(): Promise<FakeFlyDir> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-fly-'));
  return {
    dir,
    async script(name, body) {
      const path = join(dir, name);
      await writeFile(path, `#!/bin/sh\n${body}\n`);
      await chmod(path, 0o755);
      return path;
    },
    read: (name) => readFile(join(dir, name), 'utf8'),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}

/** True while a process with this pid exists (and is not yet reaped). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
