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
/** The caller's AbortSignal fired (usually shutdown): not a platform fault, so don't alert on it. */
export const WD_ERR_PLATFORM_ABORTED = createError<[string]>('WD_ERR_PLATFORM_ABORTED', '%s', 503);
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

// Store.
export const WD_ERR_STORE_SCHEMA = createError<[string]>('WD_ERR_STORE_SCHEMA', 'Store schema problem: %s', 500);

/** True when `err` carries one of our stable codes. */
export function hasCode(err: unknown, code: string): boolean {
  return typeof err === 'object' && err !== null && (err as { code?: unknown }).code === code;
}
