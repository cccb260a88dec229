/** Callers long-polling a release (`fly deploy` waiting for its machines), woken when it leaves `running`. */
export class ReleaseWaiters {
  readonly #waiters = new Map<string, Set<() => void>>();

  /** Resolves when `wake(id)` is called or `timeoutMs` passes. */
  wait(id: string, timeoutMs: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set<() => void>();
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(timeoutMs, 2 ** 31 - 1));
      waiters.add(done);
      this.#waiters.set(id, waiters);
    });
  }

  wake(id: string): void {
    for (const done of [...(this.#waiters.get(id) ?? [])]) done();
    this.#waiters.delete(id);
  }

  wakeAll(): void {
    for (const id of [...this.#waiters.keys()]) this.wake(id);
  }
}
