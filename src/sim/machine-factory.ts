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
