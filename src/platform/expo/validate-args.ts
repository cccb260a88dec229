/**
 * Guards for values that end up in eas's argv. Branches and group ids come from config, the admin
 * API and `update:list` output; messages from an operator. None may be mistaken for a flag
 * (`--branch`, `-p`) or smuggle whitespace or control characters into the command line. Each guard
 * throws WD_ERR_PLATFORM_ARGUMENT_INVALID naming the argument, before anything is run.
 */
import { isAbsolute } from 'node:path';
import { WD_ERR_PLATFORM_ARGUMENT_INVALID } from '../../infra/errors.ts';

// Branch names are free-form on EAS (`production`, `release/1.2`); we only forbid what is unsafe.
const BRANCH = /^[^\s\p{Cc}-][^\s\p{Cc}]{0,254}$/u;
// EAS group ids are UUIDs; accept any id-like token so a format change does not lock us out.
const GROUP_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;
// eas-cli truncates longer messages (with a warning); we refuse so the stored message is ours.
export const MAX_MESSAGE_LENGTH = 1024;
// eas-cli's `--limit` for update:list is 1..50 (getLimitFlagWithCustomValues).
export const MAX_LIST_LIMIT = 50;

function reject(argument: string, value: unknown, expected: string): never {
  const shown = typeof value === 'string' ? JSON.stringify(value.slice(0, 80)) : String(value);
  throw new WD_ERR_PLATFORM_ARGUMENT_INVALID(argument, shown, expected);
}

export function assertBranchName(argument: string, branch: string): void {
  if (typeof branch !== 'string' || !BRANCH.test(branch)) {
    reject(argument, branch, 'a branch name without whitespace, not starting with a dash');
  }
}

export function assertGroupId(group: string): void {
  if (typeof group !== 'string' || !GROUP_ID.test(group)) {
    reject('group', group, 'an update group id (letters, digits, dashes), not starting with a dash');
  }
}

/** One line of printable text: newlines would split the message in every log that shows it. */
export function assertUpdateMessage(message: string): void {
  if (typeof message !== 'string' || message.trim() === '' || message.startsWith('-')
    || message.length > MAX_MESSAGE_LENGTH || /\p{Cc}/u.test(message)) {
    reject('message', message, `1 to ${MAX_MESSAGE_LENGTH} characters on one line, not starting with a dash`);
  }
}

export function assertListLimit(limit: number): void {
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
    reject('limit', limit, `an integer from 1 to ${MAX_LIST_LIMIT}`);
  }
}

/** eas finds its project from the working directory; a relative one would depend on ours. */
export function assertProjectDir(dir: string): void {
  if (typeof dir !== 'string' || !isAbsolute(dir) || /\p{Cc}/u.test(dir)) {
    reject('projectDir', dir, 'an absolute directory path');
  }
}

/** An executable name or path: never something that reads as a flag. */
export function assertBinary(binary: string): void {
  if (typeof binary !== 'string' || binary === '' || binary.startsWith('-') || /\p{Cc}/u.test(binary)) {
    reject('binary', binary, 'an executable name or path, not starting with a dash');
  }
}
