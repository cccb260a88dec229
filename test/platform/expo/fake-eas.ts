/**
 * Test harness: fixtures, and a temp Expo "project dir" holding the fake eas's state file
 * (src/sim/eas). Tests seed update groups into it, run EasPlatform or the fake directly, then
 * read back what was republished and which argv eas received.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { STATE_FILE_NAME } from '../../../src/sim/eas/eas-cli.ts';
import { SimState, type SimGroupSeed, type SimStateSeed } from '../../../src/sim/eas/eas-state.ts';

export const FIXTURES = join(import.meta.dirname, 'fixtures');
export const FAKE_EAS = join(import.meta.dirname, '../../../src/sim/eas/bin/eas');

export function fixture(name: string): Promise<string> {
  return readFile(join(FIXTURES, name), 'utf8');
}

/** Fixed clock for the seeds below: `x hours ago` stays the same on every run. */
export const NOW = '2026-03-01T12:00:00.000Z';
export const GROUP_1 = '11111111-1111-4111-8111-111111111111';
export const GROUP_2 = '22222222-2222-4222-8222-222222222222';
export const GROUP_3 = '33333333-3333-4333-8333-333333333333';

/** Three groups on production, oldest first; the newest (GROUP_3) is on `newestRuntime`. */
export function threeGroups(newestRuntime = '1.0.0'): SimGroupSeed[] {
  return [
    { group: GROUP_1, branch: 'production', message: 'Initial release', runtimeVersion: '1.0.0', createdAt: '2026-02-20T09:00:00Z', actor: 'dana' },
    { group: GROUP_2, branch: 'production', message: 'Say "hello" (home)', runtimeVersion: '1.0.0', createdAt: '2026-02-27T09:00:00Z', actor: 'dana' },
    { group: GROUP_3, branch: 'production', message: 'Fix checkout crash', runtimeVersion: newestRuntime, createdAt: '2026-03-01T10:00:00Z', actor: 'ci-bot (robot)' },
  ];
}

export interface FakeEasProject {
  /** The temp dir: pass as EasPlatform's projectDir; the fake finds its state file here. */
  dir: string;
  seed(state: SimStateSeed): Promise<void>;
  state(): Promise<SimState>;
  cleanup(): Promise<void>;
}

export async function fakeEasProject(): Promise<FakeEasProject> {
  const dir = await mkdtemp(join(tmpdir(), 'fake-eas-'));
  const path = join(dir, STATE_FILE_NAME);
  return {
    dir,
    seed: (state) => writeFile(path, JSON.stringify({ now: NOW, ...state }, null, 2)),
    state: async () => SimState.parse(JSON.parse(await readFile(path, 'utf8'))),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
}
