/**
 * An app's config (what fly.toml describes), reduced to what changes a deploy's outcome or what
 * `fly status` shows: process groups, services with their autostop and checks, top-level checks,
 * env, mounts, the release command and the deploy strategy. Fly stores one with each release
 * (flyctl deploy/machines.go createReleaseInBackend sends it as the release's Definition), and a
 * deploy without a local fly.toml reuses the newest (appconfig/remote.go FromRemoteApp).
 *
 * Group matching is flyctl's (appconfig/processgroups.go): an entry without `processes` belongs
 * to the default group only (`app`, else the first group by name), not to every group.
 */

export type DeployStrategy = 'canary' | 'rolling' | 'bluegreen' | 'immediate';
export const DEPLOY_STRATEGIES: readonly DeployStrategy[] = ['canary', 'rolling', 'bluegreen', 'immediate'];

/** Port the fake process "listens" on inside the machine, as in fly.toml's internal_port. */
export const INTERNAL_PORT = 8080;

/** fly-go MachineAutostop: off, stop, or suspend (falls back to stop). */
export type Autostop = 'off' | 'stop' | 'suspend';

export interface SimService {
  processes: string[];
  internalPort: number;
  autostop: Autostop;
  /** HTTP checks by path (`[[http_service.checks]]`, `[[services.http_checks]]`). */
  checks: { path: string }[];
}

export interface SimTopCheck {
  name: string;
  type: 'http' | 'tcp';
  port: number;
  path: string;
  processes: string[];
}

export interface SimMount {
  source: string;
  destination: string;
  processes: string[];
}

export interface SimAppConfig {
  app: string;
  /** `[processes]` group names; empty means the one default group, `app`. */
  processes: string[];
  services: SimService[];
  checks: SimTopCheck[];
  env: Record<string, string>;
  mounts: SimMount[];
  /** `[deploy] release_command`; '' for none. */
  releaseCommand: string;
  /** `[deploy] strategy`; '' for flyctl's default, rolling. */
  strategy: DeployStrategy | '';
}

/** `web`: one HTTP service checked on /api/v1/health and /api/v1/ready. `worker`: no service, one top-level check. */
export type AppShape = 'web' | 'worker';

export interface ConfigOptions {
  shape?: AppShape;
  /** auto_stop_machines of the HTTP service (`fly launch` writes "stop"). Default off. */
  autostop?: Autostop;
  /** More process groups beside `app`, each shaped like a worker (no services). */
  extraGroups?: string[];
}

export function defaultConfig(app: string, opts: ConfigOptions = {}): SimAppConfig {
  const worker = opts.shape === 'worker';
  const groups = opts.extraGroups?.length ? ['app', ...opts.extraGroups] : [];
  const health = (processes: string[]): SimTopCheck => ({ name: 'health', type: 'http', port: INTERNAL_PORT, path: '/api/v1/health', processes });
  return {
    app,
    processes: groups,
    services: worker
      ? []
      : [{ processes: groups.length > 0 ? ['app'] : [], internalPort: INTERNAL_PORT, autostop: opts.autostop ?? 'off', checks: [{ path: '/api/v1/health' }, { path: '/api/v1/ready' }] }],
    checks: [...(worker ? [health([])] : []), ...(opts.extraGroups ?? []).map((g) => ({ ...health([g]), name: `${g}-health` }))],
    env: {},
    mounts: [],
    releaseCommand: '',
    strategy: '',
  };
}

/** appconfig ProcessNames: sorted groups, or `app` alone. */
export function processNames(config: SimAppConfig): string[] {
  return config.processes.length > 0 ? [...config.processes].sort() : ['app'];
}

/** appconfig DefaultProcessName: `app` when there is one, else the first by name. */
export function defaultGroup(config: SimAppConfig): string {
  const names = processNames(config);
  return names.includes('app') ? 'app' : (names[0] ?? 'app');
}

/** appconfig flattenGroupsMatch: named groups, or the default group when none are named. */
export function belongsTo(config: SimAppConfig, group: string, processes: readonly string[]): boolean {
  return processes.length === 0 ? group === defaultGroup(config) : processes.includes(group);
}

export function servicesOf(config: SimAppConfig, group: string): SimService[] {
  return config.services.filter((s) => belongsTo(config, group, s.processes));
}

export function mountsOf(config: SimAppConfig, group: string): SimMount[] {
  return config.mounts.filter((m) => belongsTo(config, group, m.processes));
}

export interface CheckSpec {
  name: string;
  type: 'http' | 'tcp';
  port: number;
  path: string;
}

/**
 * The checks Fly runs on a machine of `group`: its services' checks, named like Fly's
 * `servicecheck-NN-http-PORT`, then the top-level `[checks]` by their own names.
 */
export function checksOf(config: SimAppConfig, group: string): CheckSpec[] {
  const service = servicesOf(config, group).flatMap((s) => s.checks.map((c) => ({ port: s.internalPort, path: c.path })));
  return [
    ...service.map((c, i) => ({ name: `servicecheck-${String(i).padStart(2, '0')}-http-${c.port}`, type: 'http' as const, ...c })),
    ...config.checks.filter((c) => belongsTo(config, group, c.processes)).map(({ name, type, port, path }) => ({ name, type, port, path })),
  ];
}
