/**
 * Drives eas-cli for the manual OTA rollback of an `expo` target: list the update groups on a
 * branch, choose an earlier group, republish it. Nothing here runs on its own: an operator
 * triggers `rollBack` (or `republish`) through the admin API.
 *
 * Each method is one eas invocation through runCli, run by the spawn helper (timeout, minimal env,
 * masked output; see exec/spawn-helper.ts), followed by a pure parser, so it either returns
 * validated data or throws a coded error (CliError or WD_ERR_PLATFORM_*). eas never prompts: CI=1 plus `--non-interactive` (and `--json`, which
 * implies it in current eas-cli; older ones required both).
 */
import type { Logger } from 'pino';
import type { CliResult } from '../../infra/exec/command.ts';
import { runCliViaHelper } from '../../infra/exec/spawn-helper.ts';
import type { SecretRegistry } from '../../infra/secrets.ts';
import { invalidOutput } from '../fly/parse-output.ts';
import { chooseOtaRollbackGroup } from './choose-rollback-group.ts';
import { explainEasFailure } from './eas-failure.ts';
import { parseRepublishOutput, parseUpdateList } from './parse-updates.ts';
import type { OtaRefusalKind, RepublishOptions, RepublishResult, UpdateGroup } from './types.ts';
import {
  assertBinary, assertBranchName, assertGroupId, assertListLimit, assertProjectDir, assertUpdateMessage, MAX_MESSAGE_LENGTH,
} from './validate-args.ts';

export { chooseOtaRollbackGroup, STORE_ROLLBACK_STEPS } from './choose-rollback-group.ts';

export interface EasPlatformOptions {
  /** eas executable, looked up on PATH. Default `eas`. */
  binary?: string;
  /** Passed as EXPO_TOKEN and registered with `secrets`. Without it eas uses its stored login. */
  expoToken?: string;
  /** Absolute path of the Expo app (where app.json is): eas finds its project from the cwd. */
  projectDir: string;
  /** Per-command hard limits in ms. */
  timeouts: { list: number; republish: number };
  secrets: SecretRegistry;
  logger?: Logger;
  /** SIGTERM → SIGKILL grace for timed-out commands (runCli's default when unset). */
  killGraceMs?: number;
}

export interface RollBackOptions {
  /** Default: the newest earlier group on the current group's runtime (chooseOtaRollbackGroup). */
  toGroup?: string;
  /** Default: names the restored group and its original message. */
  message?: string;
  /** How many recent groups to consider. Default 25. */
  limit?: number;
  signal?: AbortSignal;
}

export type RollBackOutcome =
  | { outcome: 'republished'; from: UpdateGroup; to: UpdateGroup; result: RepublishResult }
  | { outcome: 'refused'; kind: OtaRefusalKind; reason: string };

export class EasPlatform {
  readonly name = 'expo';
  readonly #binary: string;
  readonly #projectDir: string;
  readonly #env: Record<string, string | undefined>;
  readonly #timeouts: EasPlatformOptions['timeouts'];
  readonly #secrets: SecretRegistry;
  readonly #logger: Logger | undefined;
  readonly #killGraceMs: number | undefined;

  /** Throws WD_ERR_PLATFORM_ARGUMENT_INVALID for a relative projectDir or a flag-like binary. */
  constructor(options: EasPlatformOptions) {
    this.#binary = options.binary ?? 'eas';
    assertBinary(this.#binary);
    assertProjectDir(options.projectDir);
    this.#projectDir = options.projectDir;
    this.#timeouts = options.timeouts;
    this.#secrets = options.secrets;
    this.#logger = options.logger;
    this.#killGraceMs = options.killGraceMs;
    // Registering here too means the token is masked even if the caller forgot to.
    this.#secrets.add(options.expoToken);
    // CI=1 makes every eas version non-interactive (isNonInteractiveByDefault), flags or not.
    this.#env = { EXPO_TOKEN: options.expoToken, CI: '1' };
  }

  /** The Expo project this drives (its directory): two apps may share one, on different branches. */
  get projectDir(): string {
    return this.#projectDir;
  }

  /** The `limit` most recent update groups on `branch`, newest first (eas allows 1..50). */
  async listUpdates(branch: string, limit = 25, signal?: AbortSignal): Promise<UpdateGroup[]> {
    assertBranchName('branch', branch);
    assertListLimit(limit);
    const args = ['update:list', '--branch', branch, '--limit', String(limit), '--json', '--non-interactive'];
    const result = await this.#run(args, this.#timeouts.list, signal);
    return parseUpdateList(completeStdout(result, 'eas update:list --json'), branch);
  }

  /**
   * Republishes update group `group` as a new group (on its own branch unless
   * `destinationBranch`), which devices on the same runtime then download as the latest update.
   * Not idempotent: every call creates another group. Resolves with the new group id(s).
   */
  async republish(group: string, options: RepublishOptions): Promise<RepublishResult> {
    assertGroupId(group);
    assertUpdateMessage(options.message);
    if (options.destinationBranch !== undefined) assertBranchName('destinationBranch', options.destinationBranch);
    const args = ['update:republish', '--group', group, '--message', options.message,
      ...(options.destinationBranch !== undefined ? ['--destination-branch', options.destinationBranch] : []),
      '--json', '--non-interactive'];
    const result = await this.#run(args, this.#timeouts.republish, options.signal);
    const updates = parseRepublishOutput(completeStdout(result, 'eas update:republish --json'));
    return { groups: [...new Set(updates.map((u) => u.group))], updates, durationMs: result.durationMs };
  }

  /**
   * The whole manual OTA rollback of `branch`: list, choose (chooseOtaRollbackGroup), republish.
   * A refusal (e.g. the previous group is on another runtime: a store rollback is needed) runs
   * nothing further and is returned, not thrown; eas failures throw like the other methods.
   */
  async rollBack(branch: string, options: RollBackOptions = {}): Promise<RollBackOutcome> {
    if (options.toGroup !== undefined) assertGroupId(options.toGroup);
    if (options.message !== undefined) assertUpdateMessage(options.message);
    const updates = await this.listUpdates(branch, options.limit ?? 25, options.signal);
    const choice = chooseOtaRollbackGroup(updates, options.toGroup !== undefined ? { toGroup: options.toGroup } : {});
    if (!choice.ok) {
      this.#logger?.warn({ branch, kind: choice.kind }, 'OTA rollback refused');
      return { outcome: 'refused', kind: choice.kind, reason: choice.reason };
    }
    const message = options.message ?? defaultRollbackMessage(choice.from, choice.to);
    const result = await this.republish(choice.to.group, { message, ...(options.signal ? { signal: options.signal } : {}) });
    this.#logger?.info({ branch, from: choice.from.group, to: choice.to.group, groups: result.groups }, 'OTA rollback republished');
    return { outcome: 'republished', from: choice.from, to: choice.to, result };
  }

  async #run(args: string[], timeoutMs: number, signal: AbortSignal | undefined): Promise<CliResult> {
    let result: CliResult;
    try {
      // eas finds its project from the working directory.
      result = await runCliViaHelper(this.#binary, args, {
        cwd: this.#projectDir,
        timeoutMs,
        env: this.#env,
        secrets: this.#secrets,
        ...(signal ? { signal } : {}),
        ...(this.#killGraceMs !== undefined ? { killGraceMs: this.#killGraceMs } : {}),
      });
    } catch (err) {
      throw explainEasFailure(err);
    }
    this.#logger?.debug({ cmd: result.cmd, durationMs: result.durationMs }, 'eas finished');
    return result;
  }
}

/** `Roll back to 3f2c…: "Fix login crash"`, one line, within eas's message limit. */
export function defaultRollbackMessage(from: UpdateGroup, to: UpdateGroup): string {
  const original = to.message.replace(/[\s\p{Cc}]+/gu, ' ').trim();
  const text = `Roll back from ${from.group} to ${to.group}${original ? `: "${original}"` : ''}`;
  return text.length <= MAX_MESSAGE_LENGTH ? text : `${text.slice(0, MAX_MESSAGE_LENGTH - 1)}…`;
}

/** JSON cut at the front cannot parse; say so rather than report a confusing syntax error. */
function completeStdout(result: CliResult, what: string): string {
  if (result.truncated) throw invalidOutput(what, 'output too large, truncated');
  return result.stdout;
}
