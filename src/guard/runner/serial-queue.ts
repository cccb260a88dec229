/**
 * Runs tasks one at a time, in the order they were queued. A task that fails fails only its own
 * caller: the tasks queued after it still run (the guard never drops an event because an earlier
 * one could not be written).
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();

  run<T>(task: () => Promise<T>): Promise<T> {
    const done = this.#tail.then(task);
    this.#tail = done.catch(() => undefined);
    return done;
  }

  /** Resolves once every task queued so far has settled. */
  async idle(): Promise<void> {
    await this.#tail;
  }
}
