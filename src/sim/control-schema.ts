/**
 * Request shapes of the simulator's control API, validated with zod. A body that does not parse
 * is a 400 SIM_ERR_BAD_REQUEST naming the offending fields.
 */
import { z } from 'zod';
import { SIM_ERR_BAD_REQUEST } from './sim-errors.ts';
import { DEPLOY_FAULT_MODES, DEPLOY_OUTCOMES, DEPLOY_STRATEGIES, FAULT_COMMANDS, FAULT_MODES, REACHABILITIES } from './sim-types.ts';

// Fly app names: lowercase letters, digits and dashes.
export const AppName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes');

const Autostop = z.enum(['off', 'stop', 'suspend']);
const Groups = z.array(z.string().min(1));

export const AddAppBody = z.object({
  name: AppName,
  profile: z.string().min(1).optional(),
  machines: z.number().int().min(1).max(20).optional(),
  requestRate: z.number().min(0).optional(),
  port: z.number().int().min(1).max(65535).optional(),
  /** `worker`: no services, so each machine gets a stopped standby (app-config.ts). */
  shape: z.enum(['web', 'worker']).optional(),
  /** The HTTP service's auto_stop_machines. */
  autostop: Autostop.optional(),
  /** Process groups beside `app`, each without services. */
  extraGroups: z.array(AppName).optional(),
});
export type AddAppBody = z.infer<typeof AddAppBody>;

/** app-config.ts SimAppConfig: what the fake fly read from a local fly.toml. */
export const AppConfigBody = z.object({
  app: z.string(),
  processes: Groups,
  services: z.array(z.object({ processes: Groups, internalPort: z.number().int(), autostop: Autostop, checks: z.array(z.object({ path: z.string() })) })),
  checks: z.array(z.object({ name: z.string(), type: z.enum(['http', 'tcp']), port: z.number().int(), path: z.string(), processes: Groups })),
  env: z.record(z.string(), z.string()),
  mounts: z.array(z.object({ source: z.string(), destination: z.string(), processes: Groups })),
  releaseCommand: z.string(),
  strategy: z.enum([...DEPLOY_STRATEGIES, '']),
});

export const DeployBody = z.object({
  image: z.string().min(1),
  strategy: z.enum(DEPLOY_STRATEGIES).optional(),
  /** E-mail of the deploying user. */
  user: z.string().min(1).optional(),
  /** `fly` when the fake fly deploys, `api` (default) for harness/CI deploys. */
  via: z.enum(['fly', 'api']).optional(),
  /** A local fly.toml; without it the newest release's config is deployed (appconfig/remote.go). */
  config: AppConfigBody.optional(),
  skipReleaseCommand: z.boolean().optional(),
  updateOnly: z.boolean().optional(),
  /** How the deploy ends when no flyctl ends it (sim-types.ts DeployOutcome). */
  outcome: z.enum(DEPLOY_OUTCOMES).optional(),
});
export type DeployBody = z.infer<typeof DeployBody>;

export const RestartBody = z.object({
  user: z.string().min(1).optional(),
  via: z.enum(['fly', 'api']).optional(),
  outcome: z.enum(DEPLOY_OUTCOMES).optional(),
});

export const SecretsBody = z.object({
  set: z.record(z.string().min(1), z.string()).optional(),
  unset: z.array(z.string().min(1)).optional(),
});

export const SecretEffectBody = z.object({ name: z.string().min(1), value: z.string().optional(), profile: z.string().min(1) });

export const EndReleaseBody = z.object({ status: z.enum(['failed', 'interrupted']), error: z.string().optional() });

export const ReachabilityBody = z.object({ reachability: z.enum(REACHABILITIES) });

export const ScaleBody = z.object({ group: z.string().min(1), count: z.number().int().min(0).max(20) });

export const StopIdleBody = z.object({ count: z.number().int().min(1).max(20) });

export const PushImageBody = z.object({
  app: AppName,
  profile: z.string().min(1),
  /** Register this exact reference instead of minting a deployment tag. */
  ref: z.string().min(1).optional(),
  /** `registry.fly.io/<app>:<label>`; pushing a label again makes a new build of the same tag. */
  label: z.string().regex(/^[\w][\w.-]{0,127}$/).optional(),
  releaseCommandFails: z.boolean().optional(),
});

export const InvocationBody = z.object({
  argv: z.array(z.string()),
  /** The parsed command when the invocation is valid; only then can a fault apply to it. */
  command: z.string().optional(),
  /** The fake fly's working directory: flyctl reads ./fly.toml from it. */
  cwd: z.string().optional(),
  /** The FLY_* variables it got, tokens left out. */
  env: z.record(z.string(), z.string()).optional(),
});

export const FaultBody = z
  .object({
    command: z.enum(FAULT_COMMANDS),
    mode: z.enum(FAULT_MODES),
    times: z.number().int().min(1).optional(),
  })
  .refine((f) => f.command === 'deploy' || !(DEPLOY_FAULT_MODES as readonly string[]).includes(f.mode), { message: 'this mode applies to deploy only', path: ['mode'] });

export const WaitQuery = z.object({ waitMs: z.coerce.number().min(0).max(600_000).optional() });
export const LogsQuery = z.object({ after: z.coerce.number().int().min(0).optional() });

export function parseOrThrow<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw new SIM_ERR_BAD_REQUEST(`invalid ${what}: ${issues}`);
}
