/**
 * Rolling back a group: which members shipped with the failing release, and where each goes back
 * to. Pure: the coordinator in watchdog.ts carries the plan out, one member at a time.
 */
import { sameBuild } from '../../domain/build-identity.ts';
import { chooseRollbackRelease } from './choose-release.ts';
import type { ReleaseRef, ReleaseView } from '../../domain/target-state.ts';

export interface GroupSpec {
  name: string;
  /** Members in rollback order. */
  targets: readonly string[];
  /** Releases created this close to the failing one belong to the same ship. */
  window: number;
}

export interface GroupStep {
  target: string;
  from: ReleaseRef;
  to: ReleaseRef;
}

/** A release with when its verdict was given and when the watchdog first saw it (store records have both). */
export type GroupRelease = ReleaseView & { verdictAt?: number; firstSeenAt?: number };

export type GroupPlan = { ok: true; steps: GroupStep[] } | { ok: false; reason: string };

const ref = (r: ReleaseRef): ReleaseRef => ({ version: r.version, imageRef: r.imageRef });

/**
 * For each member (in order) that released within `window` of the failing release, go back to its
 * newest good release from before that ship. Members that did not ship are left alone. If any
 * member that shipped has no good release before the ship, nothing is planned: a half-rolled-back
 * group (new worker, old API) can be worse than either pair.
 */
export function planGroupRollback(
  group: GroupSpec,
  failing: { target: string; release: ReleaseRef },
  histories: Readonly<Record<string, readonly GroupRelease[]>>,
): GroupPlan {
  const failed = histories[failing.target]?.find((r) => r.version === failing.release.version);
  if (!failed) return { ok: false, reason: `v${failing.release.version} of ${failing.target} is not in its release history` };
  const steps: GroupStep[] = [];
  for (const member of group.targets) {
    const history = histories[member] ?? [];
    // Releases established before the failing one appeared (judged good by then) are the pair that
    // was live before, not part of this ship, however close in time.
    // (Compared with when we first saw the failing release: Fly's CreatedAt has one-second resolution.)
    const appearedAt = failed.firstSeenAt ?? failed.createdAt;
    const establishedBefore = (r: GroupRelease) => r.verdict === 'good' && r.verdictAt !== undefined && r.verdictAt < appearedAt;
    const shipped = history.filter(
      (r) =>
        r.origin === 'deploy' &&
        ((Math.abs(r.createdAt - failed.createdAt) <= group.window && !establishedBefore(r)) || (member === failing.target && r.version === failed.version)),
    );
    if (shipped.length === 0) continue;
    const oldest = shipped.reduce((a, b) => (a.version < b.version ? a : b));
    const current = history[0];
    const to = chooseRollbackRelease(history, ref(oldest));
    if (!to || !current) return { ok: false, reason: `${member} has no known-good release from before the ship (v${oldest.version})` };
    // Already back on that image (a group rollback interrupted by a restart): nothing to redo.
    if (sameBuild(current, to)) continue;
    steps.push({ target: member, from: ref(current), to: ref(to) });
  }
  return { ok: true, steps };
}
