/**
 * `fly status --json` and `fly machine list --json` (fly-facts §3, §5). Machines are fly-go
 * `Machine` structs (machine_types.go): snake_case JSON tags in struct order, empty fields omitted
 * except `image_ref` and `cordoned`; map-typed fields (config.metadata) come out with sorted keys.
 * The status document itself is a Go map, so its keys are alphabetical.
 */
import { splitImageRef } from '../ids.ts';
import type { AppStatusView, MachineView } from '../sim-types.ts';
import { goJson, rfc3339, rfc3339Nano, sortedKeys } from './go-render.ts';

/** Port the fake process "listens" on inside the machine, as in fly.toml's internal_port. */
export const INTERNAL_PORT = 8080;

export const SIM_ORGANIZATION = {
  ID: 'Ng8o3y2qQV5ZlTwXnBnB1h2o',
  InternalNumericID: '123456',
  Name: 'Simulated Org',
  Slug: 'personal',
  RawSlug: 'personal',
  PaidPlan: false,
} as const;

export function toFlyMachine(m: MachineView): Record<string, unknown> {
  const ref = splitImageRef(m.imageRef);
  const events = [
    { type: 'start', status: 'started', source: 'flyd', timestamp: m.updatedAt + 1500 },
    ...(m.updatedAt > m.createdAt
      ? [{ type: 'update', status: 'replacing', source: 'user', timestamp: m.updatedAt }]
      : [{ type: 'launch', status: 'created', source: 'user', timestamp: m.createdAt }]),
  ];
  return {
    id: m.id,
    name: m.name,
    state: m.state,
    region: m.region,
    image_ref: { registry: ref.registry, repository: ref.repository, tag: ref.tag, digest: m.imageDigest },
    instance_id: m.instanceId,
    version: m.instanceId,
    private_ip: m.privateIp,
    created_at: rfc3339(m.createdAt),
    updated_at: rfc3339(m.updatedAt),
    config: {
      init: {},
      guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 256 },
      metadata: sortedKeys({
        fly_platform_version: 'v2',
        fly_process_group: 'app',
        fly_release_id: m.releaseId,
        fly_release_version: String(m.releaseVersion),
      }),
      services: [serviceConfig()],
      image: m.imageRef,
      restart: { policy: 'on-failure', max_retries: 10 },
    },
    events,
    checks: m.checks.map((c) => ({ name: c.name, status: c.status, output: c.output, updated_at: rfc3339Nano(c.updatedAt) })),
    host_status: 'ok',
    cordoned: false,
  };
}

/** The [http_service] of a typical app: health checked on /api/v1/health, readiness on /api/v1/ready. */
function serviceConfig(): Record<string, unknown> {
  const check = (path: string) => ({ type: 'http', interval: '15s', timeout: '2s', grace_period: '5s', method: 'GET', path });
  return {
    protocol: 'tcp',
    internal_port: INTERNAL_PORT,
    autostop: false,
    autostart: true,
    min_machines_running: 0,
    ports: [
      { port: 80, handlers: ['http'], force_https: true },
      { port: 443, handlers: ['http', 'tls'] },
    ],
    checks: [check('/api/v1/health'), check('/api/v1/ready')],
    force_instance_key: null,
  };
}

/** Machines are listed id descending, as current flyctl sorts them. */
function byIdDescending(machines: readonly MachineView[]): MachineView[] {
  return [...machines].sort((a, b) => (a.id < b.id ? 1 : a.id > b.id ? -1 : 0));
}

export function formatStatusJson(status: AppStatusView): string {
  return goJson({
    AppURL: `https://${status.name}.fly.dev`,
    Deployed: status.deployed,
    Hostname: `${status.name}.fly.dev`,
    ID: status.name,
    Machines: byIdDescending(status.machines).map(toFlyMachine),
    Name: status.name,
    Organization: SIM_ORGANIZATION,
    PlatformVersion: 'machines',
    Status: 'deployed',
    Version: status.version,
  });
}

export function formatMachineListJson(machines: readonly MachineView[]): string {
  return goJson(byIdDescending(machines).map(toFlyMachine));
}
