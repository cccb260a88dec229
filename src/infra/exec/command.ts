/**
 * What running a command means to its callers, without the code that runs it: the options and
 * result of runCli (exec/run-cli.ts, which runs it here) and runCliViaHelper (exec/spawn-helper.ts,
 * which has the spawn helper run it). Kept apart so the daemon, which only ever asks the helper,
 * never loads execa (+23 MB of RSS in a bare Node process; about 2 MB in the loaded daemon, which
 * shares most of its dependencies with other modules).
 */
import { basename } from 'node:path';
import type { SecretRegistry } from '../secrets.ts';
import { nonBlankLines, truncate } from './text.ts';

export interface RunCliOptions {
  /** Hard limit for the whole run; the process tree gets SIGTERM, then SIGKILL after `killGraceMs`. */
  timeoutMs: number;
  /** Added to PATH and HOME; nothing else from process.env is passed on. */
  env?: Record<string, string | undefined>;
  /** Aborting kills the process tree like a timeout does, but rejects with WD_ERR_PLATFORM_ABORTED. */
  signal?: AbortSignal;
  secrets: SecretRegistry;
  /** Wait between SIGTERM and SIGKILL. Default 5 s, enough for flyctl to release its lease. */
  killGraceMs?: number;
  /** Bytes of stdout kept (the tail); `truncated` tells when more was produced. Default 8 MiB. */
  maxOutputBytes?: number;
  /** Resolve with what was collected instead of throwing on timeout (for `fly logs --no-tail`). */
  allowTimeout?: boolean;
  /** Working directory (smoke suites and eas find their project from it). */
  cwd?: string;
}

export interface CliResult {
  /** Masked, ANSI-stripped stdout (the last `maxOutputBytes` of it). */
  stdout: string;
  /** Masked, ANSI-stripped tail of stderr. */
  stderr: string;
  /** Masked tail of stdout and stderr interleaved, in arrival order. */
  output: string;
  /** The masked command line, for logs. */
  cmd: string;
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
}

/** runCli or runCliViaHelper: same contract, the second from the spawn helper's process. */
export type RunCli = (binary: string, args: readonly string[], options: RunCliOptions) => Promise<CliResult>;

/** `fly releases --app x --json`; arguments with spaces are quoted so the line stays unambiguous. */
export function formatCommand(binary: string, args: readonly string[]): string {
  return [basename(binary), ...args].map((part) => (/[\s"']/.test(part) || part === '' ? JSON.stringify(part) : part)).join(' ');
}

/** Picks the line that explains a failure: flyctl's last `Error:` line, else the last stderr line. */
export function failureReason(stderr: string): string | undefined {
  const lines = nonBlankLines(stderr).map((line) => line.trim());
  const reason = lines.findLast((line) => line.startsWith('Error:')) ?? lines.at(-1);
  return reason === undefined ? undefined : truncate(reason, 300);
}
