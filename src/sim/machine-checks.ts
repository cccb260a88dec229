/**
 * What Fly's checks would report for a machine running a given profile. The checks come from the
 * machine's config (app-config.ts checksOf: its services' checks, then top-level `[checks]`); a
 * check on a path the fake app does not serve gets its 404, one on another port is refused.
 * Checks run periodically on Fly, so `fly status` shows the last result: for `errors:P` that
 * result is critical with probability P, drawn here from the seeded Rng.
 */
import { INTERNAL_PORT, type CheckSpec } from './app-config.ts';
import { errorProbability, type Profile } from './profile.ts';
import type { Rng } from './prng.ts';
import type { MachineCheck } from './sim-types.ts';

/** Matches the `timeout` of the service checks in format/machines.ts. */
export const CHECK_TIMEOUT_MS = 2000;

/** Paths the fake app answers (fake-app.ts). */
const SERVED = new Set(['/', '/api/v1/health', '/api/v1/ready']);

/** The checks of a web app's HTTP service, as the simulator's default config has them. */
export const DEFAULT_CHECKS: readonly CheckSpec[] = [
  { name: `servicecheck-00-http-${INTERNAL_PORT}`, type: 'http', port: INTERNAL_PORT, path: '/api/v1/health' },
  { name: `servicecheck-01-http-${INTERNAL_PORT}`, type: 'http', port: INTERNAL_PORT, path: '/api/v1/ready' },
];

export function machineChecks(profile: Profile, specs: readonly CheckSpec[], rng: Rng, now: number, privateIp = '172.19.0.2'): MachineCheck[] {
  return specs.map(({ name, type, port, path }) => {
    const url = `http://[${privateIp}]:${port}${path}`;
    const result = (status: MachineCheck['status'], output: string): MachineCheck => ({ name, status, output, updatedAt: now });
    if (profile.kind === 'down' || port !== INTERNAL_PORT) {
      const refused = `dial tcp [${privateIp}]:${port}: connect: connection refused`;
      return result('critical', type === 'tcp' ? refused : `Get "${url}": ${refused}`);
    }
    if (type === 'tcp') return result('passing', 'Success');
    if (profile.kind === 'slow' && profile.delayMs >= CHECK_TIMEOUT_MS) {
      return result('critical', `Get "${url}": context deadline exceeded (Client.Timeout exceeded while awaiting headers)`);
    }
    if (path === '/api/v1/ready' && profile.kind === 'unready') {
      return result('critical', `HTTP GET ${url}: 503 Service Unavailable Output: "{\\"status\\":\\"unavailable\\"}"`);
    }
    if (rng() < errorProbability(profile, 0, false)) {
      return result('critical', `HTTP GET ${url}: 500 Internal Server Error Output: "{\\"status\\":\\"error\\"}"`);
    }
    if (!SERVED.has(path)) return result('critical', `HTTP GET ${url}: 404 Not Found Output: "{\\"error\\":\\"not found\\"}"`);
    return result('passing', `HTTP GET ${url}: 200 OK Output: "{\\"status\\":\\"ok\\"}"`);
  });
}
