/**
 * Pure bookkeeping for an app's releases: Fly numbers releases per app, lists the newest first
 * and `fly releases` shows only the last 25, so the history is capped there.
 */
import type { SimMachine, SimRelease } from './sim-types.ts';

export const RELEASE_HISTORY_LIMIT = 25;

/** Newest first, capped. Versions keep counting past dropped releases. */
export function addRelease(history: readonly SimRelease[], release: SimRelease, limit = RELEASE_HISTORY_LIMIT): SimRelease[] {
  return [release, ...history].slice(0, limit);
}

export function nextVersion(history: readonly SimRelease[]): number {
  return (history[0]?.version ?? 0) + 1;
}

export function updateRelease(history: readonly SimRelease[], id: string, patch: Partial<Pick<SimRelease, 'status' | 'error'>>): SimRelease[] {
  return history.map((r) => (r.id === id ? { ...r, ...patch } : r));
}

/**
 * Every machine is updated to the release's build and config: new instance, new release
 * metadata. A stopped or suspended machine (a standby, an idle one) is updated without being
 * started (flyctl deploy/machines_launchinput.go shouldSkipLaunch).
 */
export function rollMachines(
  machines: readonly SimMachine[],
  release: SimRelease,
  now: number,
  newInstanceId: () => string,
): SimMachine[] {
  return machines.map((m) => ({
    ...m,
    imageRef: release.imageRef,
    imageDigest: release.imageDigest,
    releaseId: release.id,
    releaseVersion: release.version,
    config: release.config,
    instanceId: newInstanceId(),
    updatedAt: now,
  }));
}
