/**
 * A counting semaphore with a bounded wait queue, for the processes the watchdog starts. At 1,000
 * targets one release poll is 1,000 flyctl processes; started at once they would need ~50 GB of
 * memory and starve the guard loop of CPU. With a limit, at most `maxConcurrent` run and the rest
 * wait their turn, in order.
 *
 * Saturation: when `maxQueued` callers are already waiting, a new call is refused at once with
 * LimiterFullError (code WD_ERR_PLATFORM_BUSY) instead of joining the queue; the caller treats
 * it like any failed platform call (logged, counted, no action taken). Waiting does not count
 * against a command's own timeout (that starts when it runs); an aborted signal takes a waiter
 * out of the queue.
 *
 * Two lanes: `urgent` work (rollback deploys, the status checks that verify them) is started
 * before any queued `routine` work (release polls, log fetches), so a rollback never waits
 * behind a thousand polls. Within a lane it is first come, first served.
 */

export type Lane = 'urgent' | 'routine';

export interface LimiterOptions {
  /** Work running at once (≥ 1). */
  maxConcurrent: number;
  /** Callers allowed to wait (≥ 0); one more is refused with LimiterFullError. */
  maxQueued: number;
}

/** Refused because the queue is full. `code` is stable; match on it, never on the message. */
export class LimiterFullError extends Error {
  override readonly name = 'LimiterFullError';
  readonly code = 'WD_ERR_PLATFORM_BUSY';
  readonly statusCode = 503;

  constructor(what: string, queued: number) {
    super(`${what} not started: ${queued} commands already waiting for a slot`);
  }
}

interface Waiter {
  start: () => void;
  cancel: (reason: unknown) => void;
}

export class Limiter {
  readonly #max: number;
  readonly #maxQueued: number;
  readonly #queues: Record<Lane, Waiter[]> = { urgent: [], routine: [] };
  #active = 0;

  constructor(options: LimiterOptions) {
    if (!Number.isInteger(options.maxConcurrent) || options.maxConcurrent < 1) throw new RangeError(`maxConcurrent must be an integer ≥ 1, got ${options.maxConcurrent}`);
    if (!Number.isInteger(options.maxQueued) || options.maxQueued < 0) throw new RangeError(`maxQueued must be an integer ≥ 0, got ${options.maxQueued}`);
    this.#max = options.maxConcurrent;
    this.#maxQueued = options.maxQueued;
  }

  /** Work running now. */
  get active(): number {
    return this.#active;
  }

  /** Callers waiting for a slot. */
  get queued(): number {
    return this.#queues.urgent.length + this.#queues.routine.length;
  }

  /**
   * Runs `work` once a slot is free and resolves or rejects with it. Rejects with
   * LimiterFullError when the queue is full, or with the signal's reason if it aborts while waiting
   * (`work` is then never started).
   */
  async run<T>(work: () => Promise<T>, options: { lane?: Lane; signal?: AbortSignal; what?: string } = {}): Promise<T> {
    options.signal?.throwIfAborted();
    if (this.#active >= this.#max) await this.#wait(options.lane ?? 'routine', options.signal, options.what ?? 'command');
    else this.#active++;
    try {
      return await work();
    } finally {
      this.#release();
    }
  }

  /** Resolves once a slot has been handed over to us (the releaser keeps #active counted for us). */
  #wait(lane: Lane, signal: AbortSignal | undefined, what: string): Promise<void> {
    if (this.queued >= this.#maxQueued) return Promise.reject(new LimiterFullError(what, this.queued));
    return new Promise<void>((resolve, reject) => {
      const queue = this.#queues[lane];
      const onAbort = () => waiter.cancel(signal?.reason);
      const waiter: Waiter = {
        start: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
        cancel: (reason) => {
          const i = queue.indexOf(waiter);
          if (i !== -1) queue.splice(i, 1);
          reject(reason);
        },
      };
      queue.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Hands the slot straight to the next waiter (urgent first), or frees it. */
  #release(): void {
    const next = this.#queues.urgent.shift() ?? this.#queues.routine.shift();
    if (next) next.start();
    else this.#active--;
  }
}
