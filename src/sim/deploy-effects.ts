/**
 * What a deploy's config does to an app's machines before any image changes, as flyctl decides
 * it (internal/command/deploy/). Pure: the world applies the result.
 */
import { mountsOf, processNames, servicesOf, type SimAppConfig } from './app-config.ts';
import type { SimMachine } from './sim-types.ts';

/**
 * machines.go validateVolumeConfig, run before the release is created: a group whose config
 * mounts a volume needs one per machine. Simulated apps have no volumes, so any mount fails,
 * with flyctl's message (its region list comes from a Go map; sorted here).
 */
export function missingVolumes(config: SimAppConfig, machines: readonly SimMachine[]): string | undefined {
  for (const group of processNames(config)) {
    const [mount] = mountsOf(config, group);
    if (!mount) continue;
    const inGroup = machines.filter((m) => m.processGroup === group);
    if (inGroup.length === 0) {
      return `creating a new machine in group '${group}' requires an unattached '${mount.source}' volume. Create it with \`fly volume create ${mount.source}\``;
    }
    const perRegion = new Map<string, number>();
    for (const m of inGroup) perRegion.set(m.region, (perRegion.get(m.region) ?? 0) + 1);
    const counts = [...perRegion].sort(([a], [b]) => a.localeCompare(b)).map(([region, n]) => `${region}=${n}`).join(' ');
    return (
      `Process group '${group}' needs volumes with name '${mount.source}' to fulfill mounts defined in fly.toml; ` +
      `Run \`fly volume create ${mount.source} -r REGION -n COUNT\` for the following regions and counts: ${counts}`
    );
  }
  return undefined;
}

export interface GroupChanges {
  /** Machines of groups the config no longer has: destroyed, `--update-only` or not. */
  destroy: string[];
  /** Groups without machines, and what flyctl launches for each (none with `--update-only`). */
  launch: { group: string; machines: number; standby: boolean }[];
  /** flyctl's `Process groups have changed. This will:` lines. */
  notice: string[];
}

/**
 * machines_deploymachinesapp.go resolveProcessGroupChanges and deployCreateMachinesForGroups:
 * with `--ha` (its default), a group with mounts gets 1 machine, one with services 2, and one
 * without services 1 plus a stopped standby for it. A group scaled to zero on purpose is
 * recreated by every deploy that lacks `--update-only`.
 */
export function groupChanges(config: SimAppConfig, machines: readonly SimMachine[], updateOnly: boolean): GroupChanges {
  const groups = processNames(config);
  const gone = machines.filter((m) => !groups.includes(m.processGroup));
  const needing = updateOnly ? [] : groups.filter((g) => !machines.some((m) => m.processGroup === g));
  const launch = needing.map((group) => {
    if (mountsOf(config, group).length > 0) return { group, machines: 1, standby: false };
    if (servicesOf(config, group).length > 0) return { group, machines: 2, standby: false };
    return { group, machines: 1, standby: true };
  });
  const byGroup = new Map<string, number>();
  for (const m of gone) byGroup.set(m.processGroup, (byGroup.get(m.processGroup) ?? 0) + 1);
  const notice = [
    ...[...byGroup].map(([group, n]) => ` * destroy ${n} "${group}" machine${n === 1 ? '' : 's'}`),
    ...launch.map((l) => ` * create ${l.standby ? `1 "${l.group}" machine and 1 standby machine for it` : `${l.machines} "${l.group}" machine${l.machines === 1 ? '' : 's'}`}`),
  ];
  return { destroy: gone.map((m) => m.id), launch, notice };
}
