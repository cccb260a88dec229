/**
 * `fly status --json` and `fly machine list --json` (fly-facts §3, §5). Machines are fly-go
 * `Machine` structs (machine_types.go): snake_case JSON tags in struct order, empty fields omitted
 * except `image_ref` and `cordoned`; map-typed fields (config.metadata) come out with sorted keys.
 * The status document itself is a Go map, so its keys are alphabetical.
 */
import { belongsTo, servicesOf, type Autostop, type SimService } from '../app-config.ts';
import { splitImageRef } from '../ids.ts';
import type { AppStatusView, MachineView } from '../sim-types.ts';
import { goJson, rfc3339, rfc3339Nano, sortedKeys } from './go-render.ts';

export { INTERNAL_PORT } from '../app-config.ts';

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
    ...(m.state !== 'started' ? [{ type: 'exit', status: m.state, source: 'flyd', timestamp: m.updatedAt + 3000 }] : []),
    ...(m.standbyFor.length === 0 || m.state === 'started' ? [{ type: 'start', status: 'started', source: 'flyd', timestamp: m.updatedAt + 1500 }] : []),
    ...(m.updatedAt > m.createdAt
      ? [{ type: 'update', status: 'replacing', source: 'user', timestamp: m.updatedAt }]
      : [{ type: 'launch', status: 'created', source: 'user', timestamp: m.createdAt }]),
  ];
  const services = servicesOf(m.config, m.processGroup);
  const topChecks = m.config.checks.filter((c) => belongsTo(m.config, m.processGroup, c.processes));
  // flyctl machines_launchinput.go launchInputForLaunch: a standby's env names what it stands by for.
  const env = { ...m.config.env, ...(m.standbyFor.length > 0 ? { FLY_STANDBY_FOR: m.standbyFor.join(',') } : {}) };
  return {
    id: m.id,
    name: m.name,
    state: m.state,
    region: m.region,
    // fly-go MachineImageRef: every field is omitempty, and a machine deployed by digest has no tag.
    image_ref: { registry: ref.registry, repository: ref.repository, ...(ref.tag ? { tag: ref.tag } : {}), digest: m.imageDigest },
    instance_id: m.instanceId,
    version: m.instanceId,
    private_ip: m.privateIp,
    created_at: rfc3339(m.createdAt),
    updated_at: rfc3339(m.updatedAt),
    config: {
      ...(Object.keys(env).length > 0 ? { env: sortedKeys(env) } : {}),
      init: {},
      guest: { cpu_kind: 'shared', cpus: 1, memory_mb: 256 },
      metadata: sortedKeys({
        fly_platform_version: 'v2',
        fly_process_group: m.processGroup,
        fly_release_id: m.releaseId,
        fly_release_version: String(m.releaseVersion),
      }),
      ...(services.length > 0 ? { services: services.map(serviceConfig) } : {}),
      ...(topChecks.length > 0 ? { checks: sortedKeys(Object.fromEntries(topChecks.map((c) => [c.name, topCheck(c)]))) } : {}),
      image: m.imageRef,
      restart: { policy: 'on-failure', max_retries: 10 },
      ...(m.standbyFor.length > 0 ? { standbys: m.standbyFor } : {}),
    },
    events,
    // omitempty in fly-go: a machine that never ran (a standby) has no `checks` key.
    ...(m.checks.length > 0 ? { checks: m.checks.map((c) => ({ name: c.name, status: c.status, output: c.output, updated_at: rfc3339Nano(c.updatedAt) })) } : {}),
    host_status: 'ok',
    cordoned: false,
  };
}

/** fly-go MachineAutostop.MarshalJSON: booleans for off and stop, a string for suspend. */
function autostopJson(autostop: Autostop): boolean | string {
  return autostop === 'suspend' ? 'suspend' : autostop === 'stop';
}

const checkTimings = { interval: '15s', timeout: '2s', grace_period: '5s' };

/** A machine service (fly-go MachineService, struct order), from `[http_service]` or `[[services]]`. */
function serviceConfig(service: SimService): Record<string, unknown> {
  return {
    protocol: 'tcp',
    internal_port: service.internalPort,
    autostop: autostopJson(service.autostop),
    autostart: true,
    min_machines_running: 0,
    ports: [
      { port: 80, handlers: ['http'], force_https: true },
      { port: 443, handlers: ['http', 'tls'] },
    ],
    ...(service.checks.length > 0 ? { checks: service.checks.map((c) => ({ type: 'http', ...checkTimings, method: 'GET', path: c.path })) } : {}),
    force_instance_key: null,
  };
}

/** A top-level check (fly-go MachineCheck, struct order). */
function topCheck(check: { type: 'http' | 'tcp'; port: number; path: string }): Record<string, unknown> {
  return { port: check.port, type: check.type, ...checkTimings, ...(check.type === 'http' ? { method: 'GET', path: check.path } : {}) };
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
