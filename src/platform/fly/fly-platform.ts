/**
 * Platform implementation that drives flyctl. Each method is one flyctl invocation through
 * runCli (timeout, minimal env, masked output) followed by a pure parser, so a method either
 * returns fully validated data or throws a coded error (CliError or WD_ERR_PLATFORM_*). Every
 * flyctl runs in an empty private directory, never the daemon's own (see private-work-dir.ts).
 *
 * One poll is one flyctl per target, so calls share a bounded number of slots (exec/limiter.ts)
 * and are started by the spawn helper (exec/spawn-helper.ts), not by the daemon's own thread.
 */
import type { Logger } from 'pino';
import { formatGoDuration } from '../../infra/duration.ts';
import type { SecretRegistry } from '../../infra/secrets.ts';
import type { AppStatus, DeployOptions, DeployResult, Platform } from '../types.ts';
import type { Release } from '../../domain/release.ts';
import { invalidOutput } from './parse-output.ts';
import { parseDeployOutput } from './parse-deploy.ts';
import { parseLogText } from './parse-logs.ts';
import { parseReleases } from './parse-releases.ts';
import { parseStatus } from './parse-status.ts';
import { Limiter, type Lane } from '../../infra/exec/limiter.ts';
import { formatCommand, type CliResult, type RunCli } from '../../infra/exec/command.ts';
import { runCliViaHelper } from '../../infra/exec/spawn-helper.ts';
import { CliError } from '../../infra/errors.ts';
import { assertAppName, assertImageRef, assertInteger, assertStrategy } from './validate-args.ts';
import { MachinesApi } from './machines-api.ts';
import { privateWorkDir } from './private-work-dir.ts';
import { ReleaseDigests } from './release-digests.ts';

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
  /**
   * flyctl processes running at once (default 8). More wait in a queue, rollback deploys and
   * status checks ahead of release polls and log fetches (see exec/limiter.ts).
   */
  maxConcurrent?: number;
  /** Calls allowed to wait for a slot (default 5,000); beyond it a call fails at once with WD_ERR_PLATFORM_BUSY. */
  maxQueued?: number;
  /**
   * The Fly Machines API that releaseFingerprint asks (machines-api.ts). Needs apiToken: without
   * one flyctl reads its own config, which the watchdog does not, and every poll lists releases.
   */
  machinesApi?: { url: string; timeoutMs: number };
  /**
   * Starts the processes. Default: through the spawn helper, so a fork never stalls the daemon's
   * event loop (see exec/spawn-helper.ts). Pass runCli to start them from this process.
   */
  exec?: RunCli;
}

export const DEFAULT_MAX_CONCURRENT = 8;
/** Five polls' worth at 1,000 targets: never reached by the schedule alone, only by a pile-up. */
export const DEFAULT_MAX_QUEUED = 5_000;

export class FlyPlatform implements Platform {
  readonly name = 'fly';
  readonly #binary: string;
  readonly #env: Record<string, string | undefined>;
  readonly #timeouts: FlyPlatformOptions['timeouts'];
  readonly #secrets: SecretRegistry;
  readonly #logger: Logger | undefined;
  readonly #killGraceMs: number | undefined;
  readonly #limiter: Limiter;
  readonly #exec: RunCli;
  readonly #machines: MachinesApi | undefined;
  readonly #digests = new ReleaseDigests();

  constructor(options: FlyPlatformOptions) {
    this.#binary = options.binary ?? 'fly';
    this.#exec = options.exec ?? runCliViaHelper;
    this.#limiter = new Limiter({
      maxConcurrent: options.maxConcurrent ?? DEFAULT_MAX_CONCURRENT,
      maxQueued: options.maxQueued ?? DEFAULT_MAX_QUEUED,
    });
    this.#timeouts = options.timeouts;
    this.#secrets = options.secrets;
    this.#logger = options.logger;
    this.#killGraceMs = options.killGraceMs;
    // Registering here too means the token is masked even if the caller forgot to.
    this.#secrets.add(options.apiToken);
    if (options.machinesApi && options.apiToken) {
      this.#machines = new MachinesApi({
        ...options.machinesApi,
        token: options.apiToken,
        secrets: this.#secrets,
        onMachines: (app, machines) => this.#digests.record(app, machines),
      });
    }
    this.#env = {
      FLY_API_TOKEN: options.apiToken,
      FLY_API_BASE_URL: options.apiBaseUrl,
      // An update check would add latency and output we don't expect.
      FLY_NO_UPDATE_CHECK: '1',
      FLY_EMIT_RELEASE_JSON: '1',
      // Without it, non-interactive flyctl sends its usage metrics before exiting, synchronously
      // (internal/metrics/db.go FlushMetrics): seconds added to every call.
      FLY_SEND_METRICS: '0',
      // Nothing else: runCli passes PATH and HOME only, so the daemon's FLY_REGION (set on Fly
      // machines), which flyctl reads and `fly logs` filters by, never reaches it.
    };
  }

  async listReleases(app: string, signal?: AbortSignal): Promise<Release[]> {
    assertAppName(app);
    const result = await this.#run(['releases', '--app', app, '--json'], this.#timeouts.releases, signal, 'routine');
    return this.#digests.attach(app, parseReleases(completeStdout(result, 'fly releases --json')));
  }

  /** Undefined when no Machines API is configured, or while it cools off after failing; see MachinesApi.fingerprint. */
  async releaseFingerprint(app: string, signal?: AbortSignal): Promise<string | undefined> {
    return this.#machines?.fingerprint(app, signal);
  }

  async status(app: string, signal?: AbortSignal): Promise<AppStatus> {
    assertAppName(app);
    const result = await this.#run(['status', '--app', app, '--json'], this.#timeouts.status, signal, 'urgent');
    const status = parseStatus(completeStdout(result, 'fly status --json'));
    this.#digests.record(app, status.machines);
    return status;
  }

  /**
   * Deploys `imageRef` (a tag, or `registry.fly.io/app@sha256:…` to pin a build; see
   * domain/build-identity.ts imageRefByDigest). Throws CliError on non-zero exit; its `output`
   * holds the failed deploy's tail. Never `--detach`, whose success would mean nothing; but with
   * `immediate` flyctl waits for no machine either (deploy/machines_deploymachinesapp.go
   * updateUsingImmediateStrategy): success then only means the machines were told.
   *
   * A rollback puts an image back and changes nothing else about the app:
   * - `--skip-release-command`: the current config's `[deploy] release_command` (a migration)
   *   would run in the old image, and its failure aborts the deploy;
   * - `--update-only`: otherwise a deploy creates machines for every process group that has none,
   *   groups scaled to zero on purpose included (deployMachinesApp → deployCreateMachinesForGroups);
   * - `--strategy` only when asked for: it is written into the new release's config.
   */
  async deployImage(app: string, imageRef: string, options: DeployOptions): Promise<DeployResult> {
    assertAppName(app);
    assertImageRef(imageRef);
    if (options.strategy !== undefined) assertStrategy(options.strategy);
    // --wait-timeout is printed in whole seconds; less than 1 s would become `0s`.
    assertInteger('waitTimeoutMs', options.waitTimeoutMs, 1000);
    if (options.strategy !== 'immediate' && options.waitTimeoutMs >= this.#timeouts.deploy) {
      this.#logger?.warn({ app, waitTimeoutMs: options.waitTimeoutMs, timeoutMs: this.#timeouts.deploy },
        'deploy timeout is not longer than --wait-timeout; flyctl may be killed before it reports');
    }
    const args = ['deploy', '--image', imageRef, '--app', app, '--yes', '--update-only', '--skip-release-command',
      ...(options.strategy !== undefined ? ['--strategy', options.strategy] : []),
      '--wait-timeout', formatGoDuration(options.waitTimeoutMs)];
    const result = await this.#run(args, this.#timeouts.deploy, options.signal, 'urgent');
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
    const result = await this.#run(['logs', '--app', app, '--no-tail'], this.#timeouts.logs, signal, 'routine', true);
    return parseLogText(result.stdout).slice(-lines);
  }

  /** Flyctl processes currently running and waiting (for tests and diagnostics). */
  get load(): { active: number; queued: number } {
    return { active: this.#limiter.active, queued: this.#limiter.queued };
  }

  /** One flyctl call once a slot is free; its timeout starts when it runs, not while it waits. */
  async #run(args: string[], timeoutMs: number, signal: AbortSignal | undefined, lane: Lane, allowTimeout = false): Promise<CliResult> {
    const queuedAt = performance.now();
    let waitedMs = 0;
    const start = async () => {
      waitedMs = Math.round(performance.now() - queuedAt);
      const cwd = await privateWorkDir();
      return this.#exec(this.#binary, args, {
        timeoutMs,
        env: this.#env,
        cwd,
        secrets: this.#secrets,
        allowTimeout,
        ...(signal ? { signal } : {}),
        ...(this.#killGraceMs !== undefined ? { killGraceMs: this.#killGraceMs } : {}),
      });
    };
    const result = await this.#limiter.run(start, { lane, what: `fly ${args[0]}`, ...(signal ? { signal } : {}) }).catch((err: unknown) => {
      // Aborted while waiting for a slot: the same error as an abort while running.
      if (signal?.aborted && err === signal.reason) throw this.#abortedBeforeStart(args);
      throw err;
    });
    this.#logger?.debug({ cmd: result.cmd, durationMs: result.durationMs, waitedMs, timedOut: result.timedOut }, 'flyctl finished');
    return result;
  }

  #abortedBeforeStart(args: string[]): CliError {
    const cmd = this.#secrets.mask(formatCommand(this.#binary, args));
    return new CliError({ code: 'WD_ERR_PLATFORM_ABORTED', message: `${cmd} was aborted before it started`, cmd, exitCode: undefined, stderr: '', output: '', timedOut: false });
  }
}

/** JSON cut at the front cannot parse; say so rather than report a confusing syntax error. */
function completeStdout(result: CliResult, what: string): string {
  if (result.truncated) throw invalidOutput(what, 'output too large, truncated');
  return result.stdout;
}
