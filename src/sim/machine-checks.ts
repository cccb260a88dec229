/**
 * What Fly's service checks would report for a machine running a given profile. Checks run
 * periodically on Fly, so `fly status` shows the last result: for `errors:P` that result is
 * critical with probability P, drawn here from the seeded Rng.
 */
import { INTERNAL_PORT } from './format/machines.ts';
import { errorProbability, type Profile } from './profile.ts';
import type { Rng } from './prng.ts';
import type { MachineCheck } from './sim-types.ts';

/** Matches the `timeout` of the service checks in format/machines.ts. */
export const CHECK_TIMEOUT_MS = 2000;

const CHECKS = [
  { name: `servicecheck-00-http-${INTERNAL_PORT}`, path: '/api/v1/health' },
  { name: `servicecheck-01-http-${INTERNAL_PORT}`, path: '/api/v1/ready' },
] as const;

export function machineChecks(profile: Profile, rng: Rng, now: number, privateIp = '172.19.0.2'): MachineCheck[] {
  return CHECKS.map(({ name, path }) => {
    const url = `http://[${privateIp}]:${INTERNAL_PORT}${path}`;
    const result = (status: MachineCheck['status'], output: string): MachineCheck => ({ name, status, output, updatedAt: now });
    if (profile.kind === 'down') {
      return result('critical', `Get "${url}": dial tcp [${privateIp}]:${INTERNAL_PORT}: connect: connection refused`);
    }
    if (profile.kind === 'slow' && profile.delayMs >= CHECK_TIMEOUT_MS) {
      return result('critical', `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
    }
    if (path === '/api/v1/ready' && profile.kind === 'unready') {
      return result('critical', `HTTP GET ${url}: 503 Service Unavailable Output: "{\\"status\\":\\"unavailable\\"}"`);
    }
    if (rng() < errorProbability(profile, 0, false)) {
      return result('critical', `HTTP GET ${url}: 500 Internal Server Error Output: "{\\"status\\":\\"error\\"}"`);
    }
    return result('passing', `HTTP GET ${url}: 200 OK Output: "{\\"status\\":\\"ok\\"}"`);
  });
}
