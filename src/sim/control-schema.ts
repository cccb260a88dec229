/**
 * Request shapes of the simulator's control API, validated with zod. A body that does not parse
 * is a 400 SIM_ERR_BAD_REQUEST naming the offending fields.
 */
import { z } from 'zod';
import { SIM_ERR_BAD_REQUEST } from './sim-errors.ts';
import { DEPLOY_STRATEGIES, FAULT_COMMANDS, FAULT_MODES } from './sim-types.ts';

// Fly app names: lowercase letters, digits and dashes.
export const AppName = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'lowercase letters, digits and dashes');

export const AddAppBody = z.object({
  name: AppName,
  profile: z.string().min(1).optional(),
  machines: z.number().int().min(1).max(20).optional(),
  requestRate: z.number().min(0).optional(),
  port: z.number().int().min(1).max(65535).optional(),
});
export type AddAppBody = z.infer<typeof AddAppBody>;

export const DeployBody = z.object({
  image: z.string().min(1),
  strategy: z.enum(DEPLOY_STRATEGIES).optional(),
  /** E-mail of the deploying user. */
  user: z.string().min(1).optional(),
  /** `fly` when the fake fly deploys, `api` (default) for harness/CI deploys. */
  via: z.enum(['fly', 'api']).optional(),
});
export type DeployBody = z.infer<typeof DeployBody>;

export const PushImageBody = z.object({
  app: AppName,
  profile: z.string().min(1),
  /** Register this exact reference instead of minting a deployment tag. */
  ref: z.string().min(1).optional(),
});

export const InvocationBody = z.object({
  argv: z.array(z.string()),
  /** The parsed command when the invocation is valid; only then can a fault apply to it. */
  command: z.string().optional(),
});

export const FaultBody = z.object({
  command: z.enum(FAULT_COMMANDS),
  mode: z.enum(FAULT_MODES),
  times: z.number().int().min(1).optional(),
});

export const WaitQuery = z.object({ waitMs: z.coerce.number().min(0).max(600_000).optional() });
export const LogsQuery = z.object({ after: z.coerce.number().int().min(0).optional() });

export function parseOrThrow<T>(schema: z.ZodType<T>, data: unknown, what: string): T {
  const result = schema.safeParse(data ?? {});
  if (result.success) return result.data;
  const issues = result.error.issues.map((i) => `${i.path.join('.') || '(body)'}: ${i.message}`).join('; ');
  throw new SIM_ERR_BAD_REQUEST(`invalid ${what}: ${issues}`);
}
