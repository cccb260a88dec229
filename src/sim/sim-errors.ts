/**
 * Errors the simulator raises on purpose. The control server turns them into HTTP errors with the
 * same `code`; the fake fly turns those into flyctl-style `Error: <message>` lines, so messages
 * are worded the way flyctl / the Fly API word them.
 */
import createError from '@fastify/error';

export const SIM_ERR_APP_NOT_FOUND = createError<[string]>('SIM_ERR_APP_NOT_FOUND', 'Could not find App "%s"', 404);
export const SIM_ERR_APP_EXISTS = createError<[string]>('SIM_ERR_APP_EXISTS', 'App "%s" already exists', 409);
export const SIM_ERR_IMAGE_NOT_FOUND = createError<[string]>('SIM_ERR_IMAGE_NOT_FOUND', 'Could not find image "%s"', 404);
export const SIM_ERR_RELEASE_NOT_FOUND = createError<[string]>('SIM_ERR_RELEASE_NOT_FOUND', 'Could not find release "%s"', 404);
export const SIM_ERR_PROFILE_INVALID = createError<[string, string]>('SIM_ERR_PROFILE_INVALID', 'Invalid behaviour profile "%s": %s', 400);
/** The deploy's config cannot be applied (flyctl fails before creating a release); the message is flyctl's. */
export const SIM_ERR_DEPLOY_INVALID = createError<[string]>('SIM_ERR_DEPLOY_INVALID', '%s', 422);
export const SIM_ERR_BAD_REQUEST = createError<[string]>('SIM_ERR_BAD_REQUEST', '%s', 400);

export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : undefined;
}
