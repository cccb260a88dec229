import type { ReleaseRef, ReleaseView } from '../../domain/target-state.ts';

/**
 * Says why rolling back from `from` to `to` would cross a database migration, or undefined when it
 * would not. Unknown is treated as crossing: code is never rolled back over a schema we cannot see
 * (Drizzle writes no down migrations, so the old code may not run on the new schema).
 */
export function migrationCrossing(history: readonly ReleaseView[], from: ReleaseRef, to: ReleaseRef): string | undefined {
  const marker = (v: number) => history.find((r) => r.version === v)?.migrationMarker;
  const fromMarker = marker(from.version);
  const toMarker = marker(to.version);
  if (fromMarker === undefined) return `the database migration state of v${from.version} was not recorded`;
  if (toMarker === undefined) return `the database migration state of v${to.version} was not recorded`;
  if (fromMarker > toMarker) return `v${from.version} runs on database migration ${fromMarker}, newer than v${to.version}'s ${toMarker}`;
  return undefined;
}
