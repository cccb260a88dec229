/**
 * Whether the daemon can do its job right now, and if not, why. Components report trouble under a
 * reason and a scope (a target, the store, the process) and clear it when it passes; /readyz fails
 * while any is set, so a guard that is blind (a store it cannot write, steps that keep failing,
 * releases it cannot read) is not mistaken for a healthy one. Each change is logged once.
 */
import type { Logger } from './log.ts';

export type NotReadyReason =
  /** A guard step could not be taken in (the store refused the write): decisions are not being made. */
  | 'guard-steps-failing'
  /** The releases of a target could not be listed for several polls in a row: new deploys go unseen. */
  | 'releases-unreadable'
  /** An error nothing handled: the process may be in a state nobody planned for; restart it. */
  | 'unexpected-error'
  /**
   * Another process has held the store's lock for seconds (a backup, a `sqlite3` shell): decisions
   * and audit entries wait to be written (nothing acts before its decision is stored). Cleared when
   * a write goes through.
   */
  | 'store-locked';

export interface Trouble {
  reason: NotReadyReason;
  scope: string;
  since: number;
}

export interface ReadinessDeps {
  logger: Logger;
  now: () => number;
}

export class Readiness {
  readonly #deps: ReadinessDeps;
  readonly #troubles = new Map<string, Trouble>();
  #listeners: ((reason: NotReadyReason, count: number) => void)[] = [];

  constructor(deps: ReadinessDeps) {
    this.#deps = deps;
  }

  /** Called with how many scopes hold a reason whenever that changes (a gauge per reason). */
  onChange(listener: (reason: NotReadyReason, count: number) => void): void {
    this.#listeners.push(listener);
  }

  get ok(): boolean {
    return this.#troubles.size === 0;
  }

  troubles(): Trouble[] {
    return [...this.#troubles.values()];
  }

  /** Sets `reason` for `scope`; `detail` goes to the log only (it may hold an error's text). */
  fail(reason: NotReadyReason, scope: string, detail: string): void {
    const key = `${reason}\u0000${scope}`;
    if (this.#troubles.has(key)) return;
    this.#troubles.set(key, { reason, scope, since: this.#deps.now() });
    this.#deps.logger.error({ readiness: reason, scope, detail }, 'not ready');
    this.#report(reason);
  }

  clear(reason: NotReadyReason, scope: string): void {
    const key = `${reason}\u0000${scope}`;
    if (!this.#troubles.delete(key)) return;
    this.#deps.logger.warn({ readiness: reason, scope }, 'ready again');
    this.#report(reason);
  }

  #report(reason: NotReadyReason): void {
    const count = this.troubles().filter((t) => t.reason === reason).length;
    for (const listener of this.#listeners) listener(reason, count);
  }
}
