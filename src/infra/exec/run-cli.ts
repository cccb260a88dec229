/**
 * The only place the watchdog starts a process (and the only import of execa). Every call has a
 * timeout, an explicit minimal environment, no shell and no stdin, bounded output, and every
 * string it hands back or throws has been through SecretRegistry.mask. It runs in the spawn
 * helper's process: the daemon asks through runCliViaHelper (exec/spawn-helper.ts).
 */
import { execa } from 'execa';
import { formatDuration } from '../duration.ts';
import { CliError, type CliErrorCode } from '../errors.ts';
import { failureReason, formatCommand, type CliResult, type RunCliOptions } from './command.ts';
import { TailBuffer } from './tail-buffer.ts';
import { cleanText, lastLines } from './text.ts';

export { failureReason, formatCommand, type CliResult, type RunCli, type RunCliOptions } from './command.ts';

const DEFAULT_KILL_GRACE_MS = 5_000;
const DEFAULT_MAX_OUTPUT_BYTES = 8 * 1024 * 1024;
/** Bytes kept of stderr and of the interleaved output: only their last lines are ever reported. */
const TAIL_KEEP_BYTES = 64 * 1024;
/** Lines of stderr kept on a CliError: enough for flyctl's `Error:` line and its context. */
const STDERR_TAIL_LINES = 20;
const OUTPUT_TAIL_LINES = 40;

/**
 * Runs `binary args…` and resolves with its cleaned output when it exits 0. Throws a CliError on a
 * non-zero exit, a timeout (unless `allowTimeout`), a spawn failure or an abort.
 */
export async function runCli(binary: string, args: readonly string[], options: RunCliOptions): Promise<CliResult> {
  const { secrets } = options;
  const cmd = secrets.mask(formatCommand(binary, args));
  const stdout = new TailBuffer(options.maxOutputBytes ?? DEFAULT_MAX_OUTPUT_BYTES);
  const stderr = new TailBuffer(TAIL_KEEP_BYTES);
  const all = new TailBuffer(TAIL_KEEP_BYTES);

  const subprocess = execa(binary, args, {
    env: minimalEnv(options.env),
    extendEnv: false,
    stdin: 'ignore',
    // We collect output ourselves into TailBuffers; execa's buffering would kill on overflow.
    buffer: false,
    reject: false,
    timeout: options.timeoutMs,
    killSignal: 'SIGTERM',
    forceKillAfterDelay: options.killGraceMs ?? DEFAULT_KILL_GRACE_MS,
    // A shell wrapper or helper left holding our pipes would keep the promise pending after the
    // timeout (observed: 60 s for `sh -c 'sleep 60'`); killing the process group avoids that.
    killDescendants: true,
    ...(options.signal ? { cancelSignal: options.signal } : {}),
    ...(options.cwd !== undefined ? { cwd: options.cwd } : {}),
  });
  subprocess.stdout?.on('data', (chunk: Buffer) => {
    stdout.push(chunk);
    all.push(chunk);
  });
  subprocess.stderr?.on('data', (chunk: Buffer) => {
    stderr.push(chunk);
    all.push(chunk);
  });
  const result = await subprocess;

  const clean = (text: string) => secrets.mask(cleanText(text));
  const out: CliResult = {
    stdout: clean(stdout.toString()),
    stderr: lastLines(clean(stderr.toString()), STDERR_TAIL_LINES),
    output: lastLines(clean(all.toString()), OUTPUT_TAIL_LINES),
    cmd,
    truncated: stdout.truncated,
    timedOut: result.timedOut,
    durationMs: result.durationMs,
  };
  if (!result.failed || (result.timedOut && options.allowTimeout)) return out;

  const failure = describeFailure(result, options.timeoutMs, out.stderr);
  throw new CliError({
    code: failure.code,
    message: secrets.mask(`${cmd} ${failure.what}`),
    cmd,
    exitCode: result.exitCode,
    stderr: out.stderr,
    output: out.output,
    timedOut: result.timedOut,
  });
}

/** The parts of execa's result that tell why a run failed. */
interface FailureFacts {
  timedOut: boolean;
  isCanceled: boolean;
  exitCode?: number | undefined;
  signal?: string | undefined;
  originalMessage?: string | undefined;
}

/** Classifies a failed run and phrases the rest of its one-line message. */
function describeFailure(result: FailureFacts, timeoutMs: number, stderr: string): { code: CliErrorCode; what: string } {
  if (result.timedOut) return { code: 'WD_ERR_PLATFORM_TIMEOUT', what: `timed out after ${formatDuration(timeoutMs)}` };
  if (result.isCanceled) return { code: 'WD_ERR_PLATFORM_ABORTED', what: 'was aborted' };
  if (result.exitCode !== undefined) {
    const reason = failureReason(stderr);
    return { code: 'WD_ERR_PLATFORM_COMMAND_FAILED', what: `exited ${result.exitCode}${reason ? `: ${reason}` : ''}` };
  }
  if (result.signal) return { code: 'WD_ERR_PLATFORM_COMMAND_FAILED', what: `was killed by ${result.signal}` };
  // No exit code and no signal: the process never started (ENOENT, EACCES…).
  return { code: 'WD_ERR_PLATFORM_COMMAND_FAILED', what: `could not start: ${result.originalMessage ?? 'unknown error'}` };
}

/** PATH and HOME (flyctl needs both to find itself and its config), plus the caller's variables. */
function minimalEnv(extra: Record<string, string | undefined> = {}): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries({ PATH: process.env.PATH, HOME: process.env.HOME, ...extra })) {
    if (value !== undefined) env[key] = value;
  }
  return env;
}

