/**
 * `fly status --app A --json` (fly-facts §3): top-level keys are PascalCase, `Machines` are fly-go
 * `Machine` structs with snake_case keys where empty fields are omitted (except `image_ref`).
 */
import { z } from 'zod';
import type { AppStatus, MachineStatus } from '../types.ts';
import { parseJsonOutput } from './parse-output.ts';

export const FlyImageRef = z.object({
  registry: z.string().nullish(),
  repository: z.string().nullish(),
  tag: z.string().nullish(),
  digest: z.string().nullish(),
});
export type FlyImageRef = z.infer<typeof FlyImageRef>;

export const FlyCheck = z.object({
  name: z.string(),
  status: z.string(),
  output: z.string().nullish(),
});

export const FlyMachine = z
  .object({
    id: z.string().min(1),
    state: z.string(),
    region: z.string(),
    image_ref: FlyImageRef.nullish(),
    config: z
      .object({
        image: z.string().nullish(),
        metadata: z.object({ fly_release_version: z.string().regex(/^\d+$/).nullish() }).nullish(),
      })
      .nullish(),
    checks: z.array(FlyCheck).nullish(),
  })
  .superRefine((machine, ctx) => {
    // Without an image we cannot tell whether the machine runs the release under watch.
    if (!formatImageRef(machine.image_ref) && !machine.config?.image) {
      ctx.addIssue({ code: 'custom', path: ['image_ref', 'repository'], message: 'missing, and no config.image' });
    }
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

export function toMachineStatus(m: FlyMachine): MachineStatus {
  const version = m.config?.metadata?.fly_release_version;
  return {
    id: m.id,
    state: m.state,
    region: m.region,
    // superRefine guarantees one of the two is present.
    imageRef: formatImageRef(m.image_ref) ?? m.config?.image ?? '',
    ...(version ? { releaseVersion: Number(version) } : {}),
    checks: (m.checks ?? []).map((c) => ({ name: c.name, status: c.status, output: c.output ?? '' })),
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
