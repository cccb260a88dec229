/**
 * Machines as `fly status` and the Machines API show them: the world's record plus what Fly
 * observes now. A `down` app's process has exited and is not restarted (its runner logs say so):
 * its machines show `stopped`. Checks are the machine config's (app-config.ts checksOf), judged
 * against how the app behaves; a stopped standby has never run and reports none.
 */
import { checksOf } from './app-config.ts';
import { machineChecks } from './machine-checks.ts';
import type { Profile } from './profile.ts';
import type { Rng } from './prng.ts';
import type { MachineView, SimMachine } from './sim-types.ts';

export function machineViews(machines: readonly SimMachine[], profile: Profile, rng: Rng, now: number): MachineView[] {
  return machines.map((m) => {
    const standby = m.standbyFor.length > 0 && m.state !== 'started';
    return {
      ...m,
      state: profile.kind === 'down' && m.state === 'started' ? 'stopped' : m.state,
      checks: standby ? [] : machineChecks(profile, checksOf(m.config, m.processGroup), rng, now, m.privateIp),
    };
  });
}
