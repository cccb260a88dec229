/**
 * `fly status --app A --json` (fly-facts §3): top-level keys are PascalCase, `Machines` are fly-go
 * `Machine` structs (machine_types.go) with snake_case keys where empty fields are omitted (except
 * `image_ref` and `cordoned`). Only what the watchdog reads is validated, and leniently where
 * fly-go allows a value to be missing: a machine on an unreachable host has `incomplete_config`
 * instead of `config` and maybe no `image_ref`, and a check may have no name or status yet. None
 * of that may reject the whole document.
 */
import { z } from 'zod';
import type { AppStatus, Autostop, MachineStatus } from '../types.ts';
import { parseJsonOutput } from './parse-output.ts';

export const FlyImageRef = z.object({
  registry: z.string().nullish(),
  repository: z.string().nullish(),
  tag: z.string().nullish(),
  digest: z.string().nullish(),
});
export type FlyImageRef = z.infer<typeof FlyImageRef>;

export const FlyCheck = z.object({
  name: z.string().nullish(),
  status: z.string().nullish(),
  output: z.string().nullish(),
});

/**
 * fly-go MachineAutostop: the API answers booleans for off/stop and a string for suspend; the
 * strings "off" and "stop" are accepted too. Anything else counts as off, the conservative reading
 * (a stopped machine is then not taken for an idle one).
 */
const FlyAutostop = z.union([z.boolean(), z.string()]).nullish().transform((value): Autostop => {
  if (value === true || value === 'stop') return 'stop';
  return value === 'suspend' ? 'suspend' : 'off';
});

const FlyMachineConfig = z.object({
  image: z.string().nullish(),
  metadata: z
    .object({
      fly_release_version: z.string().regex(/^\d+$/).nullish(),
      fly_process_group: z.string().nullish(),
    })
    .nullish(),
  services: z.array(z.object({ autostop: FlyAutostop })).nullish(),
  standbys: z.array(z.string()).nullish(),
});
type FlyMachineConfig = z.infer<typeof FlyMachineConfig>;

export const FlyMachine = z.object({
  id: z.string().min(1),
  state: z.string().nullish(),
  region: z.string().nullish(),
  image_ref: FlyImageRef.nullish(),
  config: FlyMachineConfig.nullish(),
  incomplete_config: FlyMachineConfig.nullish(),
  checks: z.array(FlyCheck).nullish(),
});
export type FlyMachine = z.infer<typeof FlyMachine>;

export const FlyStatus = z.object({
  Name: z.string().min(1),
  Deployed: z.boolean(),
  Version: z.number().int().nonnegative(),
  // Go prints `null` for an app with no machines.
  Machines: z.array(FlyMachine).nullable(),
});
export type FlyStatus = z.infer<typeof FlyStatus>;

/** Parses `fly status --json` stdout into the domain AppStatus. */
export function parseStatus(stdout: string): AppStatus {
  const status = parseJsonOutput('fly status --json', stdout, FlyStatus);
  return {
    app: status.Name,
    version: status.Version,
    deployed: status.Deployed,
    machines: (status.Machines ?? []).map(toMachineStatus),
  };
}

const AUTOSTOP_ORDER: readonly Autostop[] = ['off', 'stop', 'suspend'];

export function toMachineStatus(m: FlyMachine): MachineStatus {
  // fly-go Machine.GetConfig: Config, or IncompleteConfig when the host could not give it.
  const config: FlyMachineConfig | undefined = m.config ?? m.incomplete_config ?? undefined;
  const version = config?.metadata?.fly_release_version;
  const group = config?.metadata?.fly_process_group;
  const digest = m.image_ref?.digest;
  const services = config?.services ?? [];
  const standbys = config?.standbys ?? [];
  // The least of the services' settings is the one Fly's proxy applies to the machine.
  const autostop = services.length === 0 ? undefined : AUTOSTOP_ORDER[Math.min(...services.map((s) => AUTOSTOP_ORDER.indexOf(s.autostop)))];
  return {
    id: m.id,
    state: m.state ?? '',
    region: m.region ?? '',
    imageRef: formatImageRef(m.image_ref) ?? config?.image ?? '',
    ...(digest ? { imageDigest: digest } : {}),
    ...(version ? { releaseVersion: Number(version) } : {}),
    ...(group ? { processGroup: group } : {}),
    ...(standbys.length > 0 ? { standbyFor: [...standbys] } : {}),
    ...(autostop ? { autostop } : {}),
    checks: (m.checks ?? []).map((c) => ({ name: c.name ?? '', status: c.status ?? '', output: c.output ?? '' })),
  };
}

/**
 * `registry/repository:tag`, or `registry/repository@digest` when there is no tag: the tag is what
 * `fly releases` reports as ImageRef, so it is what we compare against. Undefined without a repository.
 */
export function formatImageRef(ref: FlyImageRef | null | undefined): string | undefined {
  if (!ref?.repository) return undefined;
  const name = ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
  if (ref.tag) return `${name}:${ref.tag}`;
  if (ref.digest) return `${name}@${ref.digest}`;
  return name;
}
