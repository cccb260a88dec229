/**
 * How SqliteStore waits for a lock that another process holds on its file (issue 16: a `sqlite3`
 * shell or a backup left in a transaction) without stalling the daemon.
 *
 * node:sqlite is synchronous, so SQLite's own busy handler (`busy_timeout`) waits by sleeping the
 * thread: every write under a lock froze the whole daemon (the guard loop, the admin API, /healthz)
 * for the full timeout, then failed, and what it carried (a decision, an audit entry, an incident's
 * evidence) was dropped. So the store runs with `busy_timeout = 0`: an attempt under a lock fails
 * at once with SQLITE_BUSY and is tried again after an awaited timer, and the event loop runs in
 * between. An attempt is a whole call (one transaction, or one statement), so retrying it can
 * never apply half of anything.
 *
 * Writes wait in one queue, in the order they were called: a call made while an earlier one waits
 * queues behind it instead of trying first, so retries never reorder what callers asked for (the
 * guard awaits each transition; an audit append may fall between two of them, each still whole).
 * Each write waits at most `maxWaitMs` from its call, then fails loudly (WD_ERR_STORE_LOCKED, which
 * its caller logs). Once writes have waited `stallAfterMs`, the listener is told (the daemon's
 * readiness: store-locked), and told again when a write goes through.
 *
 * Reads do not queue: in WAL mode a writer's lock does not block them, and they see every commit,
 * so a caller that awaited its own write reads it back. The rare read that gets SQLITE_BUSY all the
 * same (a WAL being recovered, another process in exclusive locking mode) is retried the same way.
 *
 * Why not a worker thread that owns the connection, which would also keep a slow disk's fsync off
 * the event loop: a second V8 isolate costs more memory than the daemon's RSS budget leaves at 100
 * targets (see docs/benchmarks.md). The incident was a lock, and a lock is what this makes cheap;
 * what the fsync of a decision costs on the volume stays on the loop, as it always was.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { WD_ERR_STORE_LOCKED } from '../infra/errors.ts';

/** SQLite's primary result code for "another connection holds the lock", under any extended code. */
const SQLITE_BUSY = 5;

/** The first wait after SQLITE_BUSY, doubled each try up to the cap: a blip costs milliseconds, a long lock one cheap try per cap. */
const FIRST_BACKOFF_MS = 5;
const MAX_BACKOFF_MS = 100;

/** Minutes, not seconds: a backup or a shell session ends, and what waits for it must still land. */
export const DEFAULT_MAX_LOCK_WAIT_MS = 5 * 60_000;
/** Long enough that a checkpoint or a short backup step goes unreported. */
export const DEFAULT_STALL_AFTER_MS = 3_000;

export function isBusy(err: unknown): boolean {
  const errcode = (err as { errcode?: unknown } | null | undefined)?.errcode;
  return typeof errcode === 'number' && (errcode & 0xff) === SQLITE_BUSY;
}

/** Told when writes have been held up by a lock for a while, and when one goes through again. */
export interface LockWaitListener {
  stalled(detail: string): void;
  recovered(): void;
}

export interface LockWaitOptions {
  /** How long a call may wait for the lock, from the moment it was made, before it fails. */
  maxWaitMs: number;
  /** How long writes wait before `listener.stalled` is called. */
  stallAfterMs: number;
  listener?: LockWaitListener;
}

/**
 * Runs `attempt` until it does not fail with SQLITE_BUSY, sleeping (awaited) between tries; any
 * other error fails at once. Past `deadline` (a performance.now() time) it fails with
 * WD_ERR_STORE_LOCKED naming `what`. `onBusy` is called after every busy try.
 */
export async function retryWhileBusy<T>(what: string, attempt: () => T, deadline: number, onBusy?: () => void): Promise<T> {
  const started = performance.now();
  let backoff = FIRST_BACKOFF_MS;
  for (;;) {
    try {
      return attempt();
    } catch (err) {
      if (!isBusy(err)) throw err;
      onBusy?.();
      const left = deadline - performance.now();
      if (left <= 0) throw new WD_ERR_STORE_LOCKED(what, Math.round((performance.now() - started) / 1000));
      await sleep(Math.min(backoff, left));
      backoff = Math.min(backoff * 2, MAX_BACKOFF_MS);
    }
  }
}

/** A read: at once when it can, otherwise retried while busy (reads do not queue behind writes). */
export function readWhileBusy<T>(what: string, read: () => T, maxWaitMs: number): Promise<T> {
  try {
    return Promise.resolve(read());
  } catch (err) {
    if (!isBusy(err)) return Promise.reject(err as Error);
  }
  return retryWhileBusy(what, read, performance.now() + maxWaitMs);
}

/** The store's writes, one at a time in call order, each waiting out a lock (see the top of the file). */
export class LockWaitingWrites {
  readonly #options: LockWaitOptions;
  #tail: Promise<unknown> = Promise.resolve();
  /** Writes that found the lock taken, or an earlier write waiting, and have not settled yet. */
  #queued = 0;
  /** When the first of the current run of busy tries happened; undefined once a write went through. */
  #busySince: number | undefined;
  #stallReported = false;

  constructor(options: LockWaitOptions) {
    this.#options = options;
  }

  /** True when no write is waiting: a call made now runs at once. */
  get quiet(): boolean {
    return this.#queued === 0;
  }

  /**
   * Runs `attempt` (one whole write) now if nothing waits and the lock is free (as fast as a plain
   * call); otherwise queues it behind the writes already waiting, and resolves once it is written.
   */
  run<T>(what: string, attempt: () => T): Promise<T> {
    const deadline = performance.now() + this.#options.maxWaitMs;
    if (this.#queued === 0) {
      try {
        const value = attempt();
        this.#wrote();
        return Promise.resolve(value);
      } catch (err) {
        if (!isBusy(err)) return Promise.reject(err as Error);
        this.#busy();
      }
    }
    this.#queued++;
    const done = this.#tail.then(async () => {
      try {
        const value = await retryWhileBusy(what, attempt, deadline, () => this.#busy());
        this.#wrote();
        return value;
      } finally {
        this.#queued--;
      }
    });
    this.#tail = done.catch(() => undefined);
    return done;
  }

  /** Resolves once every write queued so far has settled (written, or failed). */
  async idle(): Promise<void> {
    await this.#tail;
  }

  #busy(): void {
    const now = performance.now();
    this.#busySince ??= now;
    const waited = now - this.#busySince;
    if (this.#stallReported || waited < this.#options.stallAfterMs) return;
    this.#stallReported = true;
    const detail = `writes have waited ${Math.round(waited / 1000)} s for a lock another connection holds on the SQLite file (${this.#queued} queued); they are written once it is released`;
    this.#tell(() => this.#options.listener?.stalled(detail));
  }

  #wrote(): void {
    this.#busySince = undefined;
    if (!this.#stallReported) return;
    this.#stallReported = false;
    this.#tell(() => this.#options.listener?.recovered());
  }

  /** A listener's failure must never turn a write that went through into one that failed. */
  #tell(call: () => void): void {
    try {
      call();
    } catch {
      // The listener reports; the write stands.
    }
  }
}
