/**
 * Every error the watchdog raises on purpose, with a stable code. Tests match on `code`, never on
 * message text. Never reuse or renumber a retired code: operators alert and grep on them.
 */
import createError from '@fastify/error';

// Configuration (the CLI exits 2 on these).
export const WD_ERR_CONFIG_INVALID = createError<[string]>('WD_ERR_CONFIG_INVALID', 'Invalid configuration:\n%s', 500);
export const WD_ERR_CONFIG_UNREADABLE = createError<[string, string]>('WD_ERR_CONFIG_UNREADABLE', 'Cannot read config file %s: %s', 500);
/** Refused before reading (issue 16): a config is a few KB, and parsing a huge one would exhaust memory. */
export const WD_ERR_CONFIG_TOO_LARGE = createError<[string, string]>('WD_ERR_CONFIG_TOO_LARGE', 'Config file %s is larger than %s: refusing to read it', 500);

// Platform (flyctl) failures. Each one means "do not act on this".
export const WD_ERR_PLATFORM_COMMAND_FAILED = createError<[string]>('WD_ERR_PLATFORM_COMMAND_FAILED', '%s', 502);
export const WD_ERR_PLATFORM_TIMEOUT = createError<[string]>('WD_ERR_PLATFORM_TIMEOUT', '%s', 504);
export const WD_ERR_PLATFORM_OUTPUT_INVALID = createError<[string]>('WD_ERR_PLATFORM_OUTPUT_INVALID', '%s', 502);
/** The caller's AbortSignal fired (usually shutdown): not a platform fault, so don't alert on it. */
export const WD_ERR_PLATFORM_ABORTED = createError<[string]>('WD_ERR_PLATFORM_ABORTED', '%s', 503);
/** Too many flyctl calls already wait for a slot (platform.fly.maxConcurrent): not run, no action taken. */
export const WD_ERR_PLATFORM_BUSY = createError<[string]>('WD_ERR_PLATFORM_BUSY', '%s', 503);
/** A Fly Machines API request that failed or answered other than 200 (the message never holds the token). */
export const WD_ERR_PLATFORM_API_FAILED = createError<[string]>('WD_ERR_PLATFORM_API_FAILED', '%s', 502);
/** An app name or image ref that could be mistaken for a flag; the command is never run. */
export const WD_ERR_PLATFORM_ARGUMENT_INVALID = createError<[string, string, string]>(
  'WD_ERR_PLATFORM_ARGUMENT_INVALID',
  'Invalid %s %s: expected %s',
  400,
);

export type CliErrorCode = 'WD_ERR_PLATFORM_COMMAND_FAILED' | 'WD_ERR_PLATFORM_TIMEOUT' | 'WD_ERR_PLATFORM_ABORTED';

const CLI_STATUS: Record<CliErrorCode, number> = {
  WD_ERR_PLATFORM_COMMAND_FAILED: 502,
  WD_ERR_PLATFORM_TIMEOUT: 504,
  WD_ERR_PLATFORM_ABORTED: 503,
};

/**
 * A flyctl run that did not succeed: non-zero exit, timeout, spawn failure or abort. Every string
 * field is already masked by the SecretRegistry. It deliberately has no `cause`: the underlying
 * execa error holds the unmasked output, and pino would serialize it.
 */
export class CliError extends Error {
  override readonly name = 'CliError';
  readonly code: CliErrorCode;
  readonly statusCode: number;
  /** The command line, e.g. `fly releases --app renderflow-api --json`. */
  readonly cmd: string;
  /** Undefined when the process never started or was killed by a signal. */
  readonly exitCode: number | undefined;
  /** Tail of stderr, ANSI stripped. */
  readonly stderr: string;
  /** Tail of stdout and stderr interleaved, kept as evidence (e.g. of a failed deploy). */
  readonly output: string;
  readonly timedOut: boolean;

  constructor(init: {
    code: CliErrorCode;
    message: string;
    cmd: string;
    exitCode: number | undefined;
    stderr: string;
    output: string;
    timedOut: boolean;
  }) {
    super(init.message);
    this.code = init.code;
    this.statusCode = CLI_STATUS[init.code];
    this.cmd = init.cmd;
    this.exitCode = init.exitCode;
    this.stderr = init.stderr;
    this.output = init.output;
    this.timedOut = init.timedOut;
  }
}

// Admin API.
export const WD_ERR_TARGET_UNKNOWN = createError<[string]>('WD_ERR_TARGET_UNKNOWN', 'No target named %s', 404);
export const WD_ERR_ROLLBACK_IN_PROGRESS = createError<[string]>('WD_ERR_ROLLBACK_IN_PROGRESS', 'Rollback already running for %s', 409);
export const WD_ERR_UNAUTHORIZED = createError('WD_ERR_UNAUTHORIZED', 'Missing or invalid bearer token', 401);
export const WD_ERR_FORBIDDEN = createError<[string]>('WD_ERR_FORBIDDEN', 'This action needs the %s role', 403);

// Admin API: operator routes (issue 6). Request-shape problems first, then refusals of an action.
/** Any request that does not match its schema or cannot be parsed; the message names the field. */
export const WD_ERR_BAD_REQUEST = createError<[string]>('WD_ERR_BAD_REQUEST', '%s', 400);
export const WD_ERR_NOT_FOUND = createError<[string, string]>('WD_ERR_NOT_FOUND', 'No route %s %s', 404);
export const WD_ERR_BODY_TOO_LARGE = createError<[number]>('WD_ERR_BODY_TOO_LARGE', 'Request body is larger than %d bytes', 413);
export const WD_ERR_UNSUPPORTED_MEDIA_TYPE = createError<[string]>('WD_ERR_UNSUPPORTED_MEDIA_TYPE', 'Unsupported content type %s: send application/json', 415);
/** Any other 4xx the HTTP layer raises (e.g. a malformed header): named so clients never see a bare code. */
export const WD_ERR_REQUEST_REFUSED = createError<[string]>('WD_ERR_REQUEST_REFUSED', '%s', 400);
export const WD_ERR_RATE_LIMITED = createError<[string]>('WD_ERR_RATE_LIMITED', 'Too many actions; retry in %s', 429);
export const WD_ERR_RELEASE_UNKNOWN = createError<[string, number]>('WD_ERR_RELEASE_UNKNOWN', 'Target %s has no release v%d', 404);
export const WD_ERR_IMAGE_UNKNOWN = createError<[string, string]>('WD_ERR_IMAGE_UNKNOWN', 'Target %s has no release with image %s', 404);
export const WD_ERR_RELEASE_JUDGED_BAD = createError<[string]>('WD_ERR_RELEASE_JUDGED_BAD', '%s; pass force: true to roll back to it anyway', 409);
export const WD_ERR_NO_KNOWN_GOOD = createError<[string]>('WD_ERR_NO_KNOWN_GOOD', '%s', 409);
export const WD_ERR_NO_CURRENT_RELEASE = createError<[string]>('WD_ERR_NO_CURRENT_RELEASE', 'Target %s has no current release yet: nothing to roll back from', 409);
export const WD_ERR_RELEASE_WITHOUT_IMAGE = createError<[string, number]>('WD_ERR_RELEASE_WITHOUT_IMAGE', 'Target %s: Fly recorded no image for release v%d, so there is nothing to redeploy; name another release', 409);
export const WD_ERR_ALREADY_CURRENT = createError<[string, string]>('WD_ERR_ALREADY_CURRENT', 'Target %s already runs %s; pass force: true to redeploy it', 409);
export const WD_ERR_NOT_HELD = createError<[string, string]>('WD_ERR_NOT_HELD', 'Target %s is not held (phase %s): nothing to approve or veto', 409);
export const WD_ERR_NO_ROLLBACK_TARGET = createError<[string]>('WD_ERR_NO_ROLLBACK_TARGET', '%s', 409);
export const WD_ERR_NOT_GUARDING = createError<[string, string]>('WD_ERR_NOT_GUARDING', 'Target %s is not guarding a release (phase %s): nothing to abort', 409);
/** Retired: the guard now refuses a command with its own code (src/admin/refusals.ts). Kept so the code is never reused. */
export const WD_ERR_NOT_APPLIED = createError<[string, string, string]>('WD_ERR_NOT_APPLIED', 'The %s of %s did not apply in phase %s; look at the target and retry', 409);
/** The app was built without a store (see AppDeps.store): audit and journal cannot be read. */
export const WD_ERR_OTA_REFUSED = createError<[string]>('WD_ERR_OTA_REFUSED', 'OTA rollback refused: %s', 409);
export const WD_ERR_INCIDENT_UNKNOWN = createError<[string]>('WD_ERR_INCIDENT_UNKNOWN', 'No incident %s', 404);
export const WD_ERR_STORE_UNAVAILABLE = createError<[string]>('WD_ERR_STORE_UNAVAILABLE', '%s is not available: the admin server has no store', 503);
// Admin API: limits against hostile clients (issue 16). Each refusal carries Retry-After.
/** Over the connection cap with nothing idle to close, or over the cap on event streams in all. */
export const WD_ERR_SERVER_BUSY = createError<[string, number]>('WD_ERR_SERVER_BUSY', 'The admin server is at its limit of %s; retry in %d s', 503);
export const WD_ERR_STREAM_LIMIT = createError<[string, number]>('WD_ERR_STREAM_LIMIT', 'Token %s already has %d event streams open (its limit); close one first', 429);
/** Too many failed authentications from one address; only tokens already seen from it pass meanwhile. */
export const WD_ERR_AUTH_RATE_LIMITED = createError<[string]>('WD_ERR_AUTH_RATE_LIMITED', 'Too many failed authentications from this address; retry in %s', 429);
/** The request (headers and body) did not arrive within admin.limits.requestTimeout. */
export const WD_ERR_REQUEST_TIMEOUT = createError('WD_ERR_REQUEST_TIMEOUT', 'The request did not arrive in time', 408);
/** A second OTA rollback of the same Expo project while one runs: eas would republish twice. */
export const WD_ERR_OTA_ROLLBACK_IN_PROGRESS = createError<[string, string, string]>('WD_ERR_OTA_ROLLBACK_IN_PROGRESS', 'An OTA rollback of %s is already running (started by %s at %s); wait for it to finish', 409);
// Admin API client (the CLI's operator commands). The CLI exits 3 on the first, 2 on the second.
export const WD_ERR_DAEMON_UNREACHABLE = createError<[string, string]>('WD_ERR_DAEMON_UNREACHABLE', 'Cannot reach the watchdog at %s: %s');
export const WD_ERR_CLIENT_USAGE = createError<[string]>('WD_ERR_CLIENT_USAGE', '%s');
/** Something answered, but not with the admin API's JSON (another service on that port, a proxy error page). */
export const WD_ERR_DAEMON_ANSWER_INVALID = createError<[string]>('WD_ERR_DAEMON_ANSWER_INVALID', '%s');

// Store.
export const WD_ERR_STORE_SCHEMA = createError<[string]>('WD_ERR_STORE_SCHEMA', 'Store schema problem: %s', 500);
/** Another process held the SQLite file's lock longer than a call may wait for it (src/store/sqlite-lock-wait.ts). */
export const WD_ERR_STORE_LOCKED = createError<[string, number]>('WD_ERR_STORE_LOCKED', '%s given up after waiting %d s for a lock another process holds on the SQLite file', 503);
// Several replicas (docs/ha.md).
/** A guard write was refused because this replica no longer holds the shard's lease (fencing). */
export const WD_ERR_LEASE_LOST = createError<[string, number]>('WD_ERR_LEASE_LOST', 'This replica no longer holds the lease on %s (epoch %d); the write was refused', 503);
/** The replica that owns the target did not carry out a forwarded action in time. */
export const WD_ERR_FORWARD_TIMEOUT = createError<[string, string, string]>('WD_ERR_FORWARD_TIMEOUT', 'The replica guarding %s did not carry out %s in time; check GET /api/v1/targets/%s before retrying', 504);
/** No replica holds the target's lease right now (one just died; another takes over within the lease time). */
export const WD_ERR_NOT_OWNED = createError<[string]>('WD_ERR_NOT_OWNED', 'No replica guards %s at the moment (its lease is being taken over); retry in a few seconds', 503);

/** True when `err` carries one of our stable codes. */
export function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
