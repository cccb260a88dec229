/** How the watchdog reaches Fly: the flyctl binary, its token and timeouts, and the Machines API. */
import { z } from 'zod';
import { Duration } from '../infra/duration.ts';

/** A host name or address of this machine. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127(\.\d{1,3}){3}$/.test(host);
}

/** The Fly token may go in clear text only to this machine (the simulator, a local proxy). */
function isHttpsOrLoopback(url: string): boolean {
  const { protocol, hostname } = new URL(url);
  // An IPv6 hostname keeps its brackets in a URL: `[::1]`.
  return protocol === 'https:' || (protocol === 'http:' && isLoopback(hostname.replace(/^\[(.*)\]$/, '$1')));
}

export const FlySettings = z.strictObject({
  /** flyctl binary: a name on PATH or an absolute path. */
  binary: z.string().min(1).default('fly'),
  /** Passed to flyctl as FLY_API_TOKEN; write `${FLY_API_TOKEN}` to read it from the environment. */
  apiToken: z.string().min(1).optional(),
  /** Passed as FLY_API_BASE_URL (the simulator uses this; real setups leave it unset). */
  apiBaseUrl: z.url().optional(),
  timeouts: z
    .strictObject({
      releases: Duration.prefault('30s'),
      status: Duration.prefault('30s'),
      logs: Duration.prefault('20s'),
      /** Whole `fly deploy` call; keep it above rollback.waitTimeout × machines (rolling waits for each). */
      deploy: Duration.prefault('15m'),
    })
    .prefault({}),
  /**
   * flyctl processes run at once, across all targets (one poll is one process per target). More
   * wait their turn, rollback deploys and status checks first; see src/infra/exec/limiter.ts.
   */
  maxConcurrent: z.int().min(1).max(64).default(8),
  /**
   * Before a scheduled poll lists releases with flyctl, one GET on the Machines API shows whether
   * any release went live since the last listing; only then does flyctl run. Needs apiToken.
   */
  machinesApi: z
    .strictObject({
      enabled: z.boolean().default(true),
      /**
       * Default https://api.machines.dev, unless apiBaseUrl sends flyctl elsewhere (the
       * simulator, a proxy): then set this too, or the check is off.
       */
      url: z
        .url()
        .refine(isHttpsOrLoopback, 'must be https:// (the Fly token is sent with every request), or http:// on a loopback address')
        .optional(),
      timeout: Duration.prefault('5s'),
      /** List releases at least this often even when the machines show no change. */
      relistEvery: Duration.prefault('10m'),
    })
    .prefault({}),
});
export type FlySettings = z.infer<typeof FlySettings>;
