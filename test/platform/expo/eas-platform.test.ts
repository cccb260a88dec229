import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { CliError } from '../../../src/infra/errors.ts';
import { EasPlatform, type EasPlatformOptions } from '../../../src/platform/expo/eas-platform.ts';
import { SecretRegistry } from '../../../src/infra/secrets.ts';
import { FAKE_EAS, fakeEasProject, GROUP_2, GROUP_3, threeGroups, type FakeEasProject } from './fake-eas.ts';

const TOKEN = 'expo_test-token-9f8e7d6c5b4a';
const TIMEOUTS = { list: 15_000, republish: 15_000 };

let project: FakeEasProject;
beforeEach(async () => {
  project = await fakeEasProject();
  await project.seed({ token: TOKEN, groups: threeGroups() });
});
afterEach(() => project.cleanup());

function platform(extra: Partial<EasPlatformOptions> = {}): EasPlatform {
  return new EasPlatform({
    binary: FAKE_EAS, expoToken: TOKEN, projectDir: project.dir, timeouts: TIMEOUTS, secrets: new SecretRegistry(), killGraceMs: 200, ...extra,
  });
}
const invocations = async () => (await project.state()).invocations;
const setFault = async (command: 'update:list' | 'update:republish', fault: string) =>
  project.seed({ token: TOKEN, groups: threeGroups(), faults: { [command]: fault } as never });

describe('EasPlatform argv and env', () => {
  it('lists with the exact argv, in the project dir, non-interactively, with the token', async () => {
    await platform().listUpdates('production', 10);
    expect(await invocations()).toEqual([{
      argv: ['update:list', '--branch', 'production', '--limit', '10', '--json', '--non-interactive'],
      cwd: project.dir,
      ci: '1',
      tokenSet: true,
    }]);
  });

  it('republishes with the exact argv', async () => {
    await project.seed({ token: TOKEN, groups: threeGroups(), branches: ['staging'] });
    await platform().republish(GROUP_2, { message: 'Roll back to "hello" (v2)', destinationBranch: 'staging' });
    expect((await invocations()).map((i) => i.argv)).toEqual([[
      'update:republish', '--group', GROUP_2, '--message', 'Roll back to "hello" (v2)', '--destination-branch', 'staging', '--json', '--non-interactive',
    ]]);
  });
});

describe('EasPlatform results', () => {
  it('listUpdates returns the seeded groups newest first', async () => {
    const groups = await platform().listUpdates('production');
    expect(groups.map((g) => [g.group, g.runtimeVersion, g.message])).toEqual([
      [GROUP_3, '1.0.0', 'Fix checkout crash'],
      [GROUP_2, '1.0.0', 'Say "hello" (home)'],
      [threeGroups()[0]?.group, '1.0.0', 'Initial release'],
    ]);
    expect(groups[0]).toMatchObject({ platforms: ['android', 'ios'], createdBy: 'ci-bot (robot)', createdAgo: '2 hours ago' });
  });

  it('rollBack republishes the previous group on the same runtime as a new group', async () => {
    const outcome = await platform().rollBack('production');
    expect(outcome).toMatchObject({ outcome: 'republished', from: { group: GROUP_3 }, to: { group: GROUP_2 } });
    if (outcome.outcome !== 'republished') return;

    const state = await project.state();
    const created = state.groups.at(-1);
    const source = state.groups.find((g) => g.group === GROUP_2);
    expect(outcome.result.groups).toEqual([created?.group]);
    expect(outcome.result.updates.map((u) => u.platform)).toEqual(['android', 'ios']);
    expect(created).toMatchObject({ branch: 'production', runtimeVersion: '1.0.0', republishedFrom: GROUP_2, actor: 'rollback-watchdog (robot)' });
    expect(created?.manifestFragment).toBe(source?.manifestFragment);
    expect(created?.message).toBe(`Roll back from ${GROUP_3} to ${GROUP_2}: "Say "hello" (home)"`);
    // Devices now see the republished group as the newest on the branch.
    expect((await platform().listUpdates('production'))[0]?.group).toBe(created?.group);
  });

  it('rollBack records the operator message and an explicit target', async () => {
    const first = threeGroups()[0]?.group ?? '';
    const outcome = await platform().rollBack('production', { toGroup: first, message: 'INC-42: back to the first release' });
    expect(outcome).toMatchObject({ outcome: 'republished', to: { group: first } });
    const created = (await project.state()).groups.at(-1);
    expect(created).toMatchObject({ republishedFrom: first, message: 'INC-42: back to the first release' });
  });

  it('rollBack refuses across runtime versions, naming the store rollback, and republishes nothing', async () => {
    await project.seed({ token: TOKEN, groups: threeGroups('2.0.0') });
    const outcome = await platform().rollBack('production');
    expect(outcome).toMatchObject({ outcome: 'refused', kind: 'needs-store-rollback' });
    expect(outcome.outcome === 'refused' ? outcome.reason : '').toContain('Google Play Console / App Store Connect');
    expect((await invocations()).map((i) => i.argv[0])).toEqual(['update:list']);
    expect((await project.state()).groups).toHaveLength(3);
  });
});

describe('EasPlatform failures', () => {
  it('an unknown group fails with exit 1 and the cause in the message', async () => {
    const err = await platform().republish('44444444-4444-4444-8444-444444444444', { message: 'x' }).catch((e: unknown) => e);
    expect(err).toMatchObject({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED', exitCode: 1 });
    expect((err as Error).message).toContain('Could not find any updates with group ID');
  });

  it.each([
    ['no token', { expoToken: undefined }],
    ['a wrong token', { expoToken: 'expo_some-other-token-123456' }],
    ['a missing project dir', { projectDir: '/nonexistent/mobile-app' }],
    ['a missing binary', { binary: '/nonexistent/eas' }],
  ])('%s fails with COMMAND_FAILED', async (_label, extra) => {
    await expect(platform(extra).listUpdates('production')).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED' });
  });

  it.each([
    ['update:list', 'garbage', (p: EasPlatform) => p.listUpdates('production')],
    ['update:list', 'wrong-shape', (p: EasPlatform) => p.listUpdates('production')],
    ['update:republish', 'garbage', (p: EasPlatform) => p.republish(GROUP_2, { message: 'x' })],
    ['update:republish', 'wrong-shape', (p: EasPlatform) => p.republish(GROUP_2, { message: 'x' })],
  ] as const)('%s with %s output throws OUTPUT_INVALID', async (command, fault, call) => {
    await setFault(command, fault);
    await expect(call(platform())).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_OUTPUT_INVALID' });
  });

  it('a network failure throws COMMAND_FAILED', async () => {
    await setFault('update:republish', 'exit1');
    await expect(platform().republish(GROUP_2, { message: 'x' })).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED', exitCode: 1 });
  });

  it('a hung eas is killed at the timeout', async () => {
    await setFault('update:list', 'hang');
    const started = Date.now();
    await expect(platform({ timeouts: { ...TIMEOUTS, list: 1_000 } }).listUpdates('production')).rejects.toMatchObject({
      code: 'WD_ERR_PLATFORM_TIMEOUT',
    });
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('never leaks the token, even when eas echoes it', async () => {
    await setFault('update:list', 'bad-token');
    const err = (await platform().listUpdates('production').catch((e: unknown) => e)) as CliError;
    expect(err).toMatchObject({ code: 'WD_ERR_PLATFORM_COMMAND_FAILED' });
    expect(err.stderr).toContain('[REDACTED]');
    expect(JSON.stringify({ ...err, message: err.message, stack: err.stack })).not.toContain(TOKEN);
  });
});

describe('EasPlatform argument validation', () => {
  const invalid = { code: 'WD_ERR_PLATFORM_ARGUMENT_INVALID' };

  it.each([
    ['a flag-like branch', (p: EasPlatform) => p.listUpdates('--all')],
    ['a limit over 50', (p: EasPlatform) => p.listUpdates('production', 51)],
    ['a flag-like group', (p: EasPlatform) => p.republish('--branch', { message: 'x' })],
    ['a flag-like message', (p: EasPlatform) => p.republish(GROUP_2, { message: '--json' })],
    ['a two-line message', (p: EasPlatform) => p.republish(GROUP_2, { message: 'a\nb' })],
    ['a flag-like destination branch', (p: EasPlatform) => p.republish(GROUP_2, { message: 'x', destinationBranch: '-p' })],
    ['a flag-like toGroup', (p: EasPlatform) => p.rollBack('production', { toGroup: '--all' })],
  ])('rejects %s without running eas', async (_label, call) => {
    await expect(call(platform())).rejects.toMatchObject(invalid);
    expect(await invocations()).toEqual([]);
  });

  it('rejects a relative project dir at construction', () => {
    expect(() => platform({ projectDir: 'apps/mobile' })).toThrow(expect.objectContaining(invalid));
  });
});
