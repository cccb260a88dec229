/**
 * New machines, as Fly creates them: at app creation (as a first `fly deploy` would) and when a
 * deploy launches machines for a process group that has none. A group without services gets one
 * machine and a *stopped standby* for it (flyctl deploy/machines_deploymachinesapp.go
 * deployCreateMachinesForGroups; machines_launchinput.go launchInputForLaunch sets
 * config.standbys and FLY_STANDBY_FOR), which never starts unless its machine fails.
 */
import { machineId, machineName, privateIp, ulid } from './ids.ts';
import type { Rng } from './prng.ts';
import type { SimMachine, SimRelease } from './sim-types.ts';

const REGIONS = ['iad', 'ord', 'lhr', 'nrt'];

export class MachineFactory {
  readonly #now: () => number;
  readonly #rng: Rng;

  constructor(now: () => number, rng: Rng) {
    this.#now = now;
    this.#rng = rng;
  }

  /** `count` machines of `group` on the release; plus a stopped standby for the first, when asked. */
  launch(release: SimRelease, group: string, count: number, standby: boolean, regionOffset = 0): SimMachine[] {
    const machines = Array.from({ length: count }, (_, i) => this.#machine(release, group, REGIONS[(regionOffset + i) % REGIONS.length] ?? 'iad', []));
    const first = machines[0];
    if (standby && first) machines.push(this.#machine(release, group, first.region, [first.id]));
    return machines;
  }

  #machine(release: SimRelease, group: string, region: string, standbyFor: string[]): SimMachine {
    const now = this.#now();
    return {
      id: machineId(this.#rng),
      name: machineName(this.#rng),
      region,
      state: standbyFor.length > 0 ? 'stopped' : 'started',
      instanceId: ulid(now, this.#rng),
      privateIp: privateIp(this.#rng),
      createdAt: now,
      updatedAt: now,
      imageRef: release.imageRef,
      imageDigest: release.imageDigest,
      releaseId: release.id,
      releaseVersion: release.version,
      processGroup: group,
      standbyFor,
      config: release.config,
    };
  }
}

/** `fly scale count GROUP=N` on a machine list: machines beyond N go (with their standbys); `launch` adds missing ones. */
export function scaleGroup(machines: readonly SimMachine[], group: string, count: number, launch: (n: number) => SimMachine[]): SimMachine[] {
  const inGroup = machines.filter((m) => m.processGroup === group && m.standbyFor.length === 0);
  const extra = new Set(inGroup.slice(count).map((m) => m.id));
  const kept = machines.filter((m) => !extra.has(m.id) && !m.standbyFor.some((of) => extra.has(of)));
  return count > inGroup.length ? [...kept, ...launch(count - inGroup.length)] : kept;
}

/** What Fly's proxy does to idle machines whose services have autostop on: the last `count` started ones stop. */
export function stopIdleMachines(machines: readonly SimMachine[], count: number): { machines: SimMachine[]; stopped: string[] } {
  const idle = new Set(machines.filter((m) => m.state === 'started' && m.standbyFor.length === 0).slice(-count).map((m) => m.id));
  return { machines: machines.map((m) => (idle.has(m.id) ? { ...m, state: 'stopped' } : m)), stopped: [...idle] };
}
