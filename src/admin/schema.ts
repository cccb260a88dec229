/**
 * Request schemas of the admin API; named without suffix, types inferred alongside. Every object is
 * strict, so a misspelt field is a 400 naming it rather than an option silently ignored.
 * Response schemas live in response-schema.ts.
 */
import { z } from 'zod';

/** Same rule as a target's name in the config, so a name that cannot exist is a 400, not a 404. */
export const TargetName = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'not a target name');
/** An image reference as flyctl accepts it; a leading `-` could be taken for a flag, so never. */
export const ImageRef = z.string().min(1).max(512).regex(/^[^\s-]\S*$/, 'not an image reference');
export const Reason = z.string().trim().min(1).max(500);
export const Mode = z.enum(['auto', 'approve', 'dry-run']);
/** 2^31-1 caps what SQLite and flyctl will ever hold. */
const MAX_VERSION = 2_147_483_647;
/**
 * Path segments arrive as strings. Only plain digits are a release number: coercion took `0x1`,
 * `00001` and `1e3` (issue 16). Bodies are held to the same spelling by json-body.ts.
 */
const Version = z
  .string()
  .regex(/^[1-9][0-9]*$/, 'not a release number: digits only, like 42')
  .transform(Number)
  .pipe(z.int().max(MAX_VERSION));
const Limit = z.coerce.number().int().min(1).max(500).default(50);

export const DeployNotice = z.strictObject({
  target: z.string().min(1).max(63),
  image: ImageRef.optional(),
  version: z.int().min(1).max(MAX_VERSION).optional(),
  commitSha: z.string().regex(/^[0-9a-f]{7,40}$/i, 'not a git commit sha').optional(),
});
export type DeployNotice = z.infer<typeof DeployNotice>;

export const TargetParams = z.strictObject({ name: TargetName });
export const ReleaseParams = z.strictObject({ name: TargetName, version: Version });
export const ReleasesQuery = z.strictObject({ limit: Limit });
export const JournalQuery = z.strictObject({ limit: Limit });
export const AuditQuery = z.strictObject({ limit: Limit });
/** `since`: epoch ms; only points at or after it (a client catching up after a reconnect). */
export const SeriesQuery = z.strictObject({ since: z.coerce.number().int().nonnegative().optional() });

/**
 * Bodies are optional where every field is: `curl -X POST` with no body is a valid pause. Fastify
 * hands a missing body to the validator as null, hence nullish rather than optional.
 */
export const ReasonBody = z.strictObject({ reason: Reason.optional() }).nullish();
export type ReasonBody = z.infer<typeof ReasonBody>;

export const ModeBody = z.strictObject({ mode: Mode, target: TargetName.optional(), reason: Reason.optional() });
export type ModeBody = z.infer<typeof ModeBody>;

/**
 * Where to roll back to: a release `version`, the newest release carrying `image`, or (neither)
 * the last known good release. `force` overrides the refusal of an image judged bad.
 */
export const RollbackBody = z
  .strictObject({
    version: z.int().min(1).max(MAX_VERSION).optional(),
    image: ImageRef.optional(),
    force: z.boolean().optional(),
    reason: Reason.optional(),
  })
  .refine((b) => b.version === undefined || b.image === undefined, { message: 'give version or image, not both', path: ['image'] })
  .nullish();
export type RollbackBody = z.infer<typeof RollbackBody>;

// `strict` takes the spellings a shell script would use; anything else is a 400.
const Flag = z.enum(['1', '0', 'true', 'false']).transform((v) => v === '1' || v === 'true');
export const GateQuery = z.strictObject({ target: TargetName, image: ImageRef, strict: Flag.optional() });
export type GateQuery = z.infer<typeof GateQuery>;
