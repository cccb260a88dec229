/**
 * The fake eas's own contract (src/sim/eas), run in-process: eas-cli's JSON formats and error
 * conventions, and the state file as the record of what happened.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { main } from '../../../src/sim/eas/eas-cli.ts';
import { timeAgo } from '../../../src/sim/eas/eas-output.ts';
import { fakeEasProject, GROUP_2, threeGroups, type FakeEasProject } from './fake-eas.ts';

let project: FakeEasProject;
beforeEach(async () => {
  project = await fakeEasProject();
  await project.seed({ groups: threeGroups() });
});
afterEach(() => project.cleanup());

async function eas(argv: string[], env: Record<string, string> = { EXPO_TOKEN: 'expo_tok-123456' }) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, env, project.dir, { out: (t) => { stdout += t; }, err: (t) => { stderr += t; }, stdinIsTTY: false });
  return { code, stdout, stderr };
}

describe('fake eas update:list', () => {
  it('prints the branch document with a 2-space indent, without nulls or __typename', async () => {
    const { code, stdout, stderr } = await eas(['update:list', '--branch', 'production', '--json']);
    expect(code).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/^\{\n {2}"name": "production",\n {2}"id": "[0-9a-f-]{36}",\n {2}"currentPage": \[\n/);
    expect(stdout).not.toMatch(/null|__typename/);
    const doc = JSON.parse(stdout) as { currentPage: Record<string, unknown>[] };
    expect(doc.currentPage[0]).toEqual({
      branch: 'production',
      message: '"Fix checkout crash" (2 hours ago by ci-bot (robot))',
      runtimeVersion: '1.0.0',
      isRollBackToEmbedded: false,
      group: '33333333-3333-4333-8333-333333333333',
      platforms: 'android, ios',
    });
  });

  it('honours --limit and --limit=N', async () => {
    for (const argv of [['--limit', '1'], ['--limit=1']]) {
      const { stdout } = await eas(['update:list', '--branch', 'production', ...argv, '--json']);
      expect((JSON.parse(stdout) as { currentPage: unknown[] }).currentPage).toHaveLength(1);
    }
  });

  it('prints id N/A for a branch without groups', async () => {
    await project.seed({ branches: ['staging'] });
    expect(JSON.parse((await eas(['update:list', '--branch', 'staging', '--json'])).stdout)).toEqual({ name: 'staging', id: 'N/A', currentPage: [] });
  });
});

describe('fake eas update:republish', () => {
  it('logs to stderr and prints only the Update array on stdout with --json', async () => {
    const { code, stdout, stderr } = await eas(['update:republish', '--group', GROUP_2, '-m', 'back', '--json']);
    expect(code).toBe(0);
    expect(stderr).toContain('Republished update group');
    const updates = JSON.parse(stdout) as { group: string; platform: string; branch: { name: string }; message: string }[];
    expect(updates.map((u) => u.platform)).toEqual(['android', 'ios']);
    expect(new Set(updates.map((u) => u.group)).size).toBe(1);
    expect(updates[0]).toMatchObject({ branch: { name: 'production' }, message: 'back' });
    expect(stdout).not.toMatch(/null|__typename/);
  });

  it.each([
    ['no --message', ['update:republish', '--group', GROUP_2, '--json'], 'Must supply --message when in non-interactive mode'],
    ['an unknown group', ['update:republish', '--group', 'nope', '-m', 'x', '--json'], 'Could not find any updates with group ID: "nope"'],
    ['--branch in non-interactive mode', ['update:republish', '--branch', 'production', '-m', 'x', '--json'], 'Only --group can be used in non-interactive mode'],
    ['an unknown branch', ['update:list', '--branch', 'nope', '--json'], 'Could not find branch "nope"'],
  ])('fails like eas-cli on %s: cause, generic Error line, exit 1, no new group', async (_label, argv, cause) => {
    const { code, stdout, stderr } = await eas(argv);
    expect(code).toBe(1);
    expect(stdout).toBe('');
    // Logs may come first: eas checks --message only after announcing the platforms.
    expect(stderr.endsWith(`${cause}\n    Error: ${argv[0]} command failed.\n`)).toBe(true);
    expect((await project.state()).groups).toHaveLength(3);
  });

  it('fails without EXPO_TOKEN, naming it', async () => {
    const { code, stderr } = await eas(['update:list', '--branch', 'production', '--json'], {});
    expect(code).toBe(1);
    expect(stderr).toContain('set the EXPO_TOKEN environment variable');
  });

  it.each([
    [['update:list', '--bogus']],
    [['update:republish', '--group', GROUP_2, '--branch', 'production']],
    [['update:republish', '--group']],
    [['update:rollback']],
  ])('rejects usage errors with exit 2: %j', async (argv) => {
    const { code, stderr } = await eas(argv);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^Error: /);
  });

  it('records every invocation, failed ones too, without the token', async () => {
    await eas(['update:list', '--branch', 'production', '--json'], { EXPO_TOKEN: 'expo_tok-123456', CI: '1' });
    await eas(['update:republish', '--group', 'nope', '--json'], {});
    const state = await project.state();
    expect(state.invocations).toEqual([
      { argv: ['update:list', '--branch', 'production', '--json'], cwd: project.dir, ci: '1', tokenSet: true },
      { argv: ['update:republish', '--group', 'nope', '--json'], cwd: project.dir, tokenSet: false },
    ]);
    expect(JSON.stringify(state)).not.toContain('expo_tok-123456');
  });
});

describe('timeAgo', () => {
  const now = new Date('2026-03-01T12:00:00Z');
  it.each([
    [5, 'just now'], [45, '45 seconds ago'], [60, '1 minute ago'], [7_200, '2 hours ago'], [86_400, '1 day ago'],
    [9 * 86_400, '1 week ago'], [40 * 86_400, '1 month ago'], [400 * 86_400, '1 year ago'],
  ])('%s s → %s', (seconds, expected) => {
    expect(timeAgo(new Date(now.getTime() - seconds * 1000), now)).toBe(expected);
  });
});
