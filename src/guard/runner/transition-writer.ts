/**
 * Writes each guard step's transition to the store before its effects run, under the lease the
 * runner acts with (with several replicas). A step that decides nothing (a probe round's tallies,
 * the error-rate counters) is written at most every PROGRESS_WRITE_INTERVAL_MS; any decision writes
 * the whole state at once.
 */
import type { ResolvedTarget } from '../../config/resolve.ts';
import type { LeaseFence } from '../../domain/lease.ts';
import type { TargetState } from '../../domain/target-state.ts';
import { WD_ERR_LEASE_LOST } from '../../infra/errors.ts';
import type { Logger } from '../../infra/log.ts';
import type { Store, Transition } from '../../store/types.ts';
import type { Outputs } from '../step/context.ts';
import { toTransition } from '../step/transition.ts';

/**
 * A crash loses at most this much of a guard's evidence (a few rounds, gathered again), never a
 * decision. At many targets on a short interval this turns most writes into none: on a shared
 * PostgreSQL that matters most.
 */
export const PROGRESS_WRITE_INTERVAL_MS = 30_000;

export interface TransitionWriterDeps {
  target: ResolvedTarget;
  store: Store;
  logger: Logger;
  /** With several replicas: the lease to write under, or undefined once it can no longer be trusted. */
  lease?: () => LeaseFence | undefined;
  /** Aborted once the runner is fenced: nothing more is written. */
  fenced: AbortSignal;
}

export type WriteOutcome =
  /** Durable: act on it. */
  | { written: true; transition: Transition }
  /** A progress-only step kept in memory until the next write. */
  | { written: false };

export class TransitionWriter {
  readonly #deps: TransitionWriterDeps;
  #lastWriteAt: number | undefined;
  /** The latest state a deferred progress step left unwritten. */
  #unwritten: TargetState | undefined;

  constructor(deps: TransitionWriterDeps) {
    this.#deps = deps;
  }

  /**
   * Writes the transition from `before` to `after`, or defers it when it only records progress.
   * Rejects when the store does, or when the lease is gone (WD_ERR_LEASE_LOST): then nothing was
   * decided and nothing may be acted on.
   */
  async write(before: TargetState, after: TargetState, out: Outputs, now: number): Promise<WriteOutcome> {
    const transition = toTransition(this.#deps.target, before, after, out, now);
    if (transition.progressOnly && this.#lastWriteAt !== undefined && now - this.#lastWriteAt < PROGRESS_WRITE_INTERVAL_MS) {
      this.#unwritten = after;
      return { written: false };
    }
    await this.#save(transition, now);
    return { written: true, transition };
  }

  /** Writes the progress that steps deferred (at shutdown: a restart then resumes it exactly). */
  async flush(now: number): Promise<void> {
    const state = this.#unwritten;
    if (!state || this.#deps.fenced.aborted) return;
    if (this.#deps.lease && !this.#deps.lease()) return; // the lease is gone: the next owner starts from the last write
    try {
      await this.#save(toTransition(this.#deps.target, state, state, { decisions: [], writes: [], effects: [] }, now), now);
    } catch (err) {
      this.#deps.logger.warn({ err }, 'could not write the last probe tallies at shutdown; the next start resumes from the previous write');
    }
  }

  async #save(transition: Transition, now: number): Promise<void> {
    let fence: LeaseFence | undefined;
    if (this.#deps.lease) {
      fence = this.#deps.lease();
      if (!fence || this.#deps.fenced.aborted) throw new WD_ERR_LEASE_LOST(this.#deps.target.name, 0);
    }
    await this.#deps.store.saveTransition(transition, now, fence);
    this.#lastWriteAt = now;
    this.#unwritten = undefined;
  }
}
