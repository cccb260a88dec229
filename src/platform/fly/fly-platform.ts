/**
 * Platform implementation that drives flyctl. Each method is one flyctl invocation through
 * runCli (timeout, minimal env, masked output) followed by a pure parser, so a method either
 * returns fully validated data or throws a coded error (CliError or WD_ERR_PLATFORM_*).
 */
import type { Logger } from 'pino';
import { formatGoDuration } from '../../config/duration.ts';
import type { SecretRegistry } from '../../secrets.ts';
import type { AppStatus, DeployOptions, DeployResult, Platform, Release } from '../types.ts';
import { invalidOutput } from './parse-output.ts';
import { parseDeployOutput } from './parse-deploy.ts';
import { parseLogText } from './parse-logs.ts';
import { parseReleases } from './parse-releases.ts';
import { parseStatus } from './parse-status.ts';
import { runCli, type CliResult } from '../../exec/run-cli.ts';
import { assertAppName, assertImageRef, assertInteger, assertStrategy } from './validate-args.ts';

export interface FlyPlatformOptions {
  /** flyctl executable, looked up on PATH. Default `fly`. */
  binary?: string;
  /** Passed as FLY_API_TOKEN and registered with `secrets`. Without it flyctl uses ~/.fly config. */
  apiToken?: string;
  /** FLY_API_BASE_URL, e.g. the local simulator. */
  apiBaseUrl?: string;
  /** Per-command hard limits in ms; `deploy` must exceed the wait for all machines' checks. */
  timeouts: { releases: number; status: number; logs: number; deploy: number };
  secrets: SecretRegistry;
  logger?: Logger;
  /** SIGTERM → SIGKILL grace for timed-out commands (default 5 s). */
  killGraceMs?: number;
}

export class FlyPlatform implements Platform {
  readonly name = 'fly';
  readonly #binary: string;
  readonly #env: Record<string, string | undefined>;
  readonly #timeouts: FlyPlatformOptions['timeouts'];
  readonly #secrets: SecretRegistry;
  readonly #logger: Logger | undefined;
  readonly #killGraceMs: number | undefined;

  constructor(options: FlyPlatformOptions) {
    this.#binary = options.binary ?? 'fly';
    this.#timeouts = options.timeouts;
    this.#secrets = options.secrets;
    this.#logger = options.logger;
    this.#killGraceMs = options.killGraceMs;
    // Registering here too means the token is masked even if the caller forgot to.
    this.#secrets.add(options.apiToken);
    this.#env = {
      FLY_API_TOKEN: options.apiToken,
      FLY_API_BASE_URL: options.apiBaseUrl,
      // An update check would add latency and output we don't expect.
      FLY_NO_UPDATE_CHECK: '1',
      FLY_EMIT_RELEASE_JSON: '1',
    };
  }

  async listReleases(app: string, signal?: AbortSignal): Promise<Release[]> {
    assertAppName(app);
    const result = await this.#run(['releases', '--app', app, '--json'], this.#timeouts.releases, signal);
    return parseReleases(completeStdout(result, 'fly releases --json'));
  }

  async status(app: string, signal?: AbortSignal): Promise<AppStatus> {
    assertAppName(app);
    const result = await this.#run(['status', '--app', app, '--json'], this.#timeouts.status, signal);
    return parseStatus(completeStdout(result, 'fly status --json'));
  }

  /**
   * Deploys `imageRef` and waits for machines to pass checks (no `--detach`: its success would
   * mean nothing). Throws CliError on non-zero exit; its `output` holds the failed deploy's tail.
   */
  async deployImage(app: string, imageRef: string, options: DeployOptions): Promise<DeployResult> {
    assertAppName(app);
    assertImageRef(imageRef);
    assertStrategy(options.strategy);
    // --wait-timeout is printed in whole seconds; less than 1 s would become `0s`.
    assertInteger('waitTimeoutMs', options.waitTimeoutMs, 1000);
    if (options.waitTimeoutMs >= this.#timeouts.deploy) {
      this.#logger?.warn({ app, waitTimeoutMs: options.waitTimeoutMs, timeoutMs: this.#timeouts.deploy },
        'deploy timeout is not longer than --wait-timeout; flyctl may be killed before it reports');
    }
    const args = ['deploy', '--image', imageRef, '--app', app, '--yes', '--strategy', options.strategy,
      '--wait-timeout', formatGoDuration(options.waitTimeoutMs)];
    const result = await this.#run(args, this.#timeouts.deploy, options.signal);
    const release = parseDeployOutput(result.stdout);
    return {
      ...(release ? { version: release.version } : {}),
      imageRef: release?.imageRef ?? imageRef,
      output: result.output,
      durationMs: result.durationMs,
    };
  }

  /**
   * The last `lines` log lines. `fly logs --no-tail` keeps polling while the log buffer is empty,
   * so a timeout here is normal: it yields whatever arrived (often nothing) instead of an error.
   */
  async recentLogs(app: string, lines: number, signal?: AbortSignal): Promise<string[]> {
    assertAppName(app);
    assertInteger('lines', lines, 1);
    const result = await this.#run(['logs', '--app', app, '--no-tail'], this.#timeouts.logs, signal, true);
    return parseLogText(result.stdout).slice(-lines);
  }

  async #run(args: string[], timeoutMs: number, signal: AbortSignal | undefined, allowTimeout = false): Promise<CliResult> {
    const result = await runCli(this.#binary, args, {
      timeoutMs,
      env: this.#env,
      secrets: this.#secrets,
      allowTimeout,
      ...(signal ? { signal } : {}),
      ...(this.#killGraceMs !== undefined ? { killGraceMs: this.#killGraceMs } : {}),
    });
    this.#logger?.debug({ cmd: result.cmd, durationMs: result.durationMs, timedOut: result.timedOut }, 'flyctl finished');
    return result;
  }
}

/** JSON cut at the front cannot parse; say so rather than report a confusing syntax error. */
function completeStdout(result: CliResult, what: string): string {
  if (result.truncated) throw invalidOutput(what, 'output too large, truncated');
  return result.stdout;
}
