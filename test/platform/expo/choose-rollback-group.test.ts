import { describe, expect, it } from 'vitest';
import { chooseOtaRollbackGroup } from '../../../src/platform/expo/choose-rollback-group.ts';
import type { UpdateGroup } from '../../../src/platform/expo/types.ts';

/** `g('c', '1.0.0')`: a group on android and ios unless `platforms` says otherwise. */
const g = (group: string, runtimeVersion: string, platforms = ['android', 'ios']): UpdateGroup => ({
  group, runtimeVersion, platforms, message: `msg ${group}`, isRollBackToEmbedded: false,
});

/** Picks the chosen group's id, or the refusal kind prefixed with `!`. */
function choose(updates: UpdateGroup[], toGroup?: string): string {
  const choice = chooseOtaRollbackGroup(updates, toGroup === undefined ? {} : { toGroup });
  return choice.ok ? choice.to.group : `!${choice.kind}`;
}

describe('chooseOtaRollbackGroup', () => {
  it.each([
    ['when the previous group shares the runtime then it is chosen', [g('c', '1'), g('b', '1'), g('a', '1')], 'b'],
    ['when groups for another runtime sit in between then they are skipped', [g('c', '1'), g('x', '2'), g('a', '1')], 'a'],
    ['when the previous group is on another runtime only then a store rollback is needed', [g('c', '2'), g('b', '1'), g('a', '1')], '!needs-store-rollback'],
    ['when the current group is the only one then a store rollback is needed', [g('c', '1')], '!needs-store-rollback'],
    ['when the branch is empty then there is nothing to roll back', [], '!no-updates'],
    ['when the previous group lacks a platform then it is refused', [g('c', '1'), g('b', '1', ['ios']), g('a', '1')], '!platform-mismatch'],
    ['when the previous group has extra platforms then it is chosen', [g('c', '1', ['ios']), g('b', '1'), g('a', '1')], 'b'],
  ])('%s', (_label, updates, expected) => {
    expect(choose(updates)).toBe(expected);
  });

  it.each([
    ['an older group on the same runtime', 'a', 'a'],
    ['the current group', 'c', '!already-current'],
    ['a group not in the list', 'zzz', '!unknown-group'],
    ['a group on another runtime', 'x', '!needs-store-rollback'],
  ])('toGroup: %s', (_label, toGroup, expected) => {
    expect(choose([g('c', '1'), g('b', '1'), g('x', '2'), g('a', '1')], toGroup)).toBe(expected);
  });

  it('returns the current group as `from`', () => {
    const choice = chooseOtaRollbackGroup([g('c', '1'), g('b', '1')]);
    expect(choice).toMatchObject({ ok: true, from: { group: 'c' }, to: { group: 'b' } });
  });

  it('names the runbook store steps and both runtimes in a store-rollback refusal', () => {
    const choice = chooseOtaRollbackGroup([g('c', '2.0.0'), g('b', '1.0.0')]);
    expect(choice.ok).toBe(false);
    const reason = choice.ok ? '' : choice.reason;
    expect(reason).toContain('Google Play Console / App Store Connect');
    expect(reason).toContain('halt the current release and re-promote the previous version');
    expect(reason).toContain('runtime 2.0.0');
    expect(reason).toContain('1.0.0');
  });
});
