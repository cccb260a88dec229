/**
 * Picks the update group an OTA rollback republishes. Pure: plain data in, a choice out.
 *
 * A device only runs updates built for its runtimeVersion, so "the previous release" for the
 * devices that got the current group is the newest *earlier* group with the same runtimeVersion.
 * Groups on other runtimes in between are skipped: they target other builds. When there is no
 * such group, no OTA update can help; the runbook's store rollback is the way back.
 *
 * The chooser knows nothing of judgments. Right after a rollback, the newest group is the
 * republish and the one before it is the bad release, so a second automatic choice would pick
 * the bad one again: callers that know better pass `toGroup`.
 */
import type { OtaRollbackChoice, UpdateGroup } from './types.ts';

/** Runbook "Mobile Rollback → Full Build Rollback", phrased for an operator reading a refusal. */
export const STORE_ROLLBACK_STEPS =
  'Do a store rollback instead: in Google Play Console / App Store Connect, halt the current release and re-promote the previous version';

export interface ChooseOtaOptions {
  /** Roll back to this group instead of the default choice; the same safety checks apply. */
  toGroup?: string;
}

/** `updates` must be newest first, as `EasPlatform.listUpdates` returns them. */
export function chooseOtaRollbackGroup(updates: readonly UpdateGroup[], options: ChooseOtaOptions = {}): OtaRollbackChoice {
  const [current, ...earlier] = updates;
  if (!current) return { ok: false, kind: 'no-updates', reason: 'The branch has no update groups: there is nothing to roll back' };

  const target = options.toGroup === undefined ? defaultTarget(current, earlier) : explicitTarget(current, earlier, options.toGroup);
  if (!('group' in target)) return target;

  const missing = current.platforms.filter((p) => !target.platforms.includes(p));
  if (missing.length > 0) {
    return {
      ok: false,
      kind: 'platform-mismatch',
      reason: `Update group ${target.group} has no ${missing.join(', ')} update, while the current group ${current.group} does: `
        + `republishing it would leave ${missing.join(', ')} devices on the current group. Roll back with eas directly, per platform`,
    };
  }
  return { ok: true, from: current, to: target };
}

function defaultTarget(current: UpdateGroup, earlier: readonly UpdateGroup[]): UpdateGroup | Extract<OtaRollbackChoice, { ok: false }> {
  const target = earlier.find((u) => u.runtimeVersion === current.runtimeVersion && u.group !== current.group);
  if (target) return target;
  const others = [...new Set(earlier.map((u) => u.runtimeVersion))].filter((v) => v !== current.runtimeVersion);
  const seen = others.length > 0 ? ` (earlier groups are on runtime ${others.join(', ')})` : '';
  return {
    ok: false,
    kind: 'needs-store-rollback',
    reason: `No earlier update group on runtime ${current.runtimeVersion} than the current group ${current.group}${seen}: `
      + `an OTA update cannot roll back to a different runtime version. ${STORE_ROLLBACK_STEPS}`,
  };
}

function explicitTarget(current: UpdateGroup, earlier: readonly UpdateGroup[], toGroup: string): UpdateGroup | Extract<OtaRollbackChoice, { ok: false }> {
  if (toGroup === current.group) {
    return { ok: false, kind: 'already-current', reason: `Update group ${toGroup} is already the current group on the branch` };
  }
  const target = earlier.find((u) => u.group === toGroup);
  if (!target) {
    return {
      ok: false,
      kind: 'unknown-group',
      reason: `Update group ${toGroup} is not among the ${earlier.length + 1} most recent groups on the branch`,
    };
  }
  if (target.runtimeVersion !== current.runtimeVersion) {
    return {
      ok: false,
      kind: 'needs-store-rollback',
      reason: `Update group ${toGroup} is on runtime ${target.runtimeVersion} but the current group ${current.group} is on `
        + `${current.runtimeVersion}: an OTA update cannot roll back to a different runtime version. ${STORE_ROLLBACK_STEPS}`,
    };
  }
  return target;
}
