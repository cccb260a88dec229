/**
 * eas-cli reports a failure as two parts on stderr: the cause (`Could not find any updates with
 * group ID: "…"`), then a generic line that oclif prints last (`Error: update:republish command
 * failed.`; EasCommand.catch). runCli names the last `Error:` line as the reason, which for eas is
 * always the generic one. This rewrites such a CliError's message to name the cause instead; the
 * code and every other field stay as they were.
 */
import { CliError } from '../../infra/errors.ts';
import { nonBlankLines, truncate } from '../../infra/exec/text.ts';

// `<command id> command failed.` for ordinary errors, `GraphQL request failed.` for API errors.
const GENERIC_ERROR = /^Error: (?:\S+ command failed|GraphQL request failed)\.$/;

/** The line that explains an eas failure, or undefined when stderr has no generic line to skip. */
export function easFailureCause(stderr: string): string | undefined {
  const lines = nonBlankLines(stderr).map((line) => line.trim());
  const generic = lines.findLastIndex((line) => GENERIC_ERROR.test(line));
  if (generic <= 0) return undefined;
  return truncate(lines[generic - 1] ?? '', 300);
}

/** Returns `err` with the cause in its message when it is an eas CliError that has one; else `err`. */
export function explainEasFailure(err: unknown): unknown {
  if (!(err instanceof CliError) || err.code !== 'WD_ERR_PLATFORM_COMMAND_FAILED' || err.exitCode === undefined) return err;
  const cause = easFailureCause(err.stderr);
  if (cause === undefined) return err;
  // stderr and cmd were masked by runCli, so the new message needs no masking of its own.
  return new CliError({
    code: err.code,
    message: `${err.cmd} exited ${err.exitCode}: ${cause}`,
    cmd: err.cmd,
    exitCode: err.exitCode,
    stderr: err.stderr,
    output: err.output,
    timedOut: err.timedOut,
  });
}
