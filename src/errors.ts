/**
 * Every error the watchdog raises on purpose, with a stable code. Tests match on `code`, never on
 * message text. Never reuse or renumber a retired code: operators alert and grep on them.
 */
import createError from '@fastify/error';

// Configuration (the CLI exits 2 on these).
export const WD_ERR_CONFIG_INVALID = createError<[string]>('WD_ERR_CONFIG_INVALID', 'Invalid configuration:\n%s', 500);
export const WD_ERR_CONFIG_UNREADABLE = createError<[string, string]>('WD_ERR_CONFIG_UNREADABLE', 'Cannot read config file %s: %s', 500);

// Platform (flyctl) failures. Each one means "do not act on this".
export const WD_ERR_PLATFORM_COMMAND_FAILED = createError<[string]>('WD_ERR_PLATFORM_COMMAND_FAILED', '%s', 502);
export const WD_ERR_PLATFORM_TIMEOUT = createError<[string]>('WD_ERR_PLATFORM_TIMEOUT', '%s', 504);
export const WD_ERR_PLATFORM_OUTPUT_INVALID = createError<[string]>('WD_ERR_PLATFORM_OUTPUT_INVALID', '%s', 502);

// Admin API.
export const WD_ERR_TARGET_UNKNOWN = createError<[string]>('WD_ERR_TARGET_UNKNOWN', 'No target named %s', 404);
export const WD_ERR_ROLLBACK_IN_PROGRESS = createError<[string]>('WD_ERR_ROLLBACK_IN_PROGRESS', 'Rollback already running for %s', 409);
export const WD_ERR_UNAUTHORIZED = createError('WD_ERR_UNAUTHORIZED', 'Missing or invalid bearer token', 401);
export const WD_ERR_FORBIDDEN = createError<[string]>('WD_ERR_FORBIDDEN', 'This action needs the %s role', 403);

// Store.
export const WD_ERR_STORE_SCHEMA = createError<[string]>('WD_ERR_STORE_SCHEMA', 'Store schema problem: %s', 500);

/** True when `err` carries one of our stable codes. */
export function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
