/**
 * Settings that are still accepted, so an existing config keeps loading, but no longer do
 * anything. The daemon logs each at start and `check-config` lists them, with what replaced it.
 */
import type { Config } from './schema.ts';

export interface Deprecation {
  /** `targets[1].probes[2].autostop`: the form config errors use. */
  path: string;
  replacement: string;
}

const AUTOSTOP = 'ignored: each machine\'s own autostop (config.services[].autostop) tells an idle machine from a stopped one, and stopped standbys are left out';
const AUTH_SCHEME = 'ignored: the scheme follows from the token, as in flyctl (FlyV1 for `fly tokens create` tokens, else Bearer)';

export function deprecatedSettings(config: Config): Deprecation[] {
  const found: Deprecation[] = [];
  config.targets.forEach((target, i) => {
    target.probes.forEach((probe, j) => {
      if (probe.type === 'platform-checks' && probe.autostop !== undefined) found.push({ path: `targets[${i}].probes[${j}].autostop`, replacement: AUTOSTOP });
    });
    if (target.errorRate?.source.type === 'prometheus' && target.errorRate.source.authScheme !== undefined) {
      found.push({ path: `targets[${i}].errorRate.source.authScheme`, replacement: AUTH_SCHEME });
    }
    if (target.errorRate?.baselineWindow !== undefined) {
      found.push({ path: `targets[${i}].errorRate.baselineWindow`, replacement: 'ignored: the baseline remembers the stable releases\' traffic up to errorRate.baselineRetention (24h by default), across guards and restarts' });
    }
    if (target.latency?.source.authScheme !== undefined) found.push({ path: `targets[${i}].latency.source.authScheme`, replacement: AUTH_SCHEME });
  });
  return found;
}
