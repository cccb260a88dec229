/** Request and response schemas of the admin API; named without suffix, types inferred alongside. */
import { z } from 'zod';

export const DeployNotice = z.strictObject({
  target: z.string().min(1).max(63),
  image: z.string().min(1).max(512).regex(/^[^\s-]\S*$/, 'not an image reference').optional(),
  version: z.int().positive().optional(),
  commitSha: z.string().regex(/^[0-9a-f]{7,40}$/i, 'not a git commit sha').optional(),
});
export type DeployNotice = z.infer<typeof DeployNotice>;

export const ErrorBody = z.object({ statusCode: z.number(), code: z.string(), error: z.string(), message: z.string() });

export const TargetParams = z.strictObject({ name: z.string().min(1).max(63) });
export const ReleasesQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(500).default(50) });
