/**
 * Teardown that always runs: resources register a closer as they start, and `close()` runs them
 * newest first (the daemon before the simulator it drives). A benchmark calls it in `finally`, and
 * `onSignals` also runs it on Ctrl-C or a kill, so no Prometheus or daemon outlives the run.
 */
export class Cleanup {
  readonly #closers: { what: string; close: () => Promise<void> }[] = [];
  #closing: Promise<void> | undefined;

  /** Registers `close` and returns `resource`, so starting and registering is one expression. */
  add<T>(what: string, resource: T, close: (r: T) => Promise<void>): T {
    this.#closers.push({ what, close: () => close(resource) });
    return resource;
  }

  /** Runs every closer once, newest first; a failing one is reported and the rest still run. */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      for (const { what, close } of this.#closers.reverse()) {
        try {
          await close();
        } catch (err) {
          console.error(`cleanup: could not stop ${what}: ${(err as Error).message}`);
        }
      }
    })();
    return this.#closing;
  }

  /** On SIGINT/SIGTERM: clean up, then exit 130/143 as a shell would. */
  onSignals(): void {
    for (const [signal, code] of [['SIGINT', 130], ['SIGTERM', 143]] as const) {
      process.once(signal, () => {
        console.error(`\n${signal}: stopping every process the benchmark started…`);
        void this.close().finally(() => process.exit(code));
      });
    }
  }
}

/** Rejects with `message` after `ms`; the timer does not keep the process alive. */
export function deadline(ms: number, message: string): Promise<never> {
  return new Promise((_, reject) => setTimeout(() => reject(new Error(message)), ms).unref());
}
