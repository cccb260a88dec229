/**
 * Smoke test provider: runs a command (an end-to-end suite, a curl script) against the release and
 * judges it by its exit code. Exit 0 is `successful`; a non-zero exit on every attempt, or a run
 * still going at its timeout, is `failed` (the release did not do what users need). A command that
 * cannot even start is `error`: that is the watchdog's setup, not the release, at fault.
 */
import { formatDuration } from '../infra/duration.ts';
import type { Clock } from '../infra/clock.ts';
import { CliError } from '../infra/errors.ts';
import { runCliViaHelper } from '../infra/exec/spawn-helper.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import { findExecutable, isDirectory, type Executable } from './find-executable.ts';
import type { SmokeTest } from '../config/signal-schemas.ts';
import { collectSignalSecrets } from './signal-secrets.ts';
import type { Measurement } from '../domain/measurement.ts';
import type { Provider } from './types.ts';

export interface SmokeTestOptions {
  clock: Clock;
  secrets: SecretRegistry;
  /** SIGTERM → SIGKILL grace after a timeout (default 5 s): lets a test runner close browsers. */
  killGraceMs?: number;
}

/** How one attempt ended. */
type Attempt =
  | { kind: 'passed' }
  | { kind: 'exited'; what: string; exitCode?: number; output: string }
  | { kind: 'timed-out'; output: string }
  | { kind: 'not-started'; what: string }
  | { kind: 'aborted' };

export class SmokeTestProvider implements Provider<SmokeTest> {
  readonly type = 'smoke';
  readonly #opts: SmokeTestOptions;

  constructor(options: SmokeTestOptions) {
    this.#opts = options;
  }

  /** Runs up to `1 + retries` attempts; never throws. Aborting `signal` gives `inconclusive`. */
  async run(spec: SmokeTest, signal: AbortSignal): Promise<Measurement> {
    const started = performance.now();
    const { clock, secrets } = this.#opts;
    collectSignalSecrets(spec, secrets);
    let attempts = 0;
    let exitCode: number | undefined;
    const measurement = (phase: Measurement['phase'], detail: string, evidence?: string): Measurement => ({
      check: spec.name,
      phase,
      at: clock.now(),
      durationMs: Math.round(performance.now() - started),
      detail: secrets.mask(detail),
      values: { attempts, ...(exitCode !== undefined ? { exitCode } : {}) },
      ...(evidence ? { evidence } : {}),
    });
    try {
      const program = await this.#resolveProgram(spec);
      if (!program.ok) return measurement('error', `smoke test could not start: ${program.reason}`);
      const total = spec.retries + 1;
      for (;;) {
        attempts += 1;
        const attempt = await this.#attempt(spec, program.path, signal);
        switch (attempt.kind) {
          case 'passed':
            return measurement('successful', attempts === 1 ? 'passed' : `passed on attempt ${attempts} of ${total}`);
          case 'aborted':
            return measurement('inconclusive', 'smoke test aborted');
          case 'not-started':
            return measurement('error', `smoke test could not start: ${attempt.what}`);
          case 'timed-out':
            // Not retried: a hung suite would most likely hang again, and each try costs the full timeout.
            return measurement('failed', `timed out after ${formatDuration(spec.timeout)} (a hung smoke test counts as failing)`, attempt.output);
          case 'exited':
            exitCode = attempt.exitCode;
            if (attempts >= total) {
              const tries = total === 1 ? '' : ` on all ${total} attempts`;
              return measurement('failed', `${attempt.what}${tries}`, attempt.output);
            }
            await clock.sleep(spec.retryDelay, signal);
        }
      }
    } catch (err) {
      if (signal.aborted) return measurement('inconclusive', 'smoke test aborted');
      return measurement('error', `smoke test could not run: ${(err as Error).message ?? String(err)}`);
    }
  }

  /** The program's absolute path, or why it cannot start (missing cwd, program not found). */
  async #resolveProgram(spec: SmokeTest): Promise<Executable> {
    if (spec.cwd !== undefined && !(await isDirectory(spec.cwd))) return { ok: false, reason: `cwd ${spec.cwd} is not a directory` };
    const [program = ''] = spec.command;
    return findExecutable(program, spec.cwd ?? process.cwd(), spec.env?.PATH ?? process.env.PATH);
  }

  async #attempt(spec: SmokeTest, programPath: string, signal: AbortSignal): Promise<Attempt> {
    const args = spec.command.slice(1);
    try {
      // Through the spawn helper like every process the daemon starts (see exec/spawn-helper.ts).
      await runCliViaHelper(programPath, args, {
        ...(spec.cwd !== undefined ? { cwd: spec.cwd } : {}),
        timeoutMs: spec.timeout,
        signal,
        secrets: this.#opts.secrets,
        ...(spec.env ? { env: spec.env } : {}),
        ...(this.#opts.killGraceMs !== undefined ? { killGraceMs: this.#opts.killGraceMs } : {}),
      });
      return { kind: 'passed' };
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      if (err.code === 'WD_ERR_PLATFORM_ABORTED') return { kind: 'aborted' };
      if (err.timedOut) return { kind: 'timed-out', output: err.output };
      if (err.exitCode !== undefined) return { kind: 'exited', what: `exited ${err.exitCode}`, exitCode: err.exitCode, output: err.output };
      // No exit code: killed by a signal (OOM killer: a failing suite) or, rarely after the lookup
      // above, a spawn failure; runCli only tells them apart in its message.
      if (/could not start/.test(err.message)) return { kind: 'not-started', what: err.message };
      return { kind: 'exited', what: err.message.replace(/^.*? was killed/, 'killed'), output: err.output };
    }
  }
}
