/**
 * flyctl traps SIGINT and SIGTERM from its first instruction (main.go newContext →
 * signal.NotifyContext) and a cancelled context ends the run with exit 127 (internal/cli/cli.go),
 * whatever it was doing. A deploy that already holds its release marks it interrupted first
 * (machines_deploymachinesapp.go, with a second to do so).
 */
const INTERRUPT_GRACE_MS = 1_000;
const SIGNALS = ['SIGTERM', 'SIGINT'] as const;

type Cleanup = () => Promise<void>;
let cleanup: Cleanup | undefined;

/** Installed once by the fake fly's entry point, before it runs a command. */
export function trapInterrupts(): void {
  let interrupted = false;
  // The handlers stay: a second signal finds the context already cancelled (flyctl never calls
  // NotifyContext's stop before it exits), so it changes nothing.
  const onSignal = () => {
    if (interrupted) return;
    interrupted = true;
    if (cleanup === undefined) process.exit(127);
    const timer = setTimeout(() => process.exit(127), INTERRUPT_GRACE_MS);
    void cleanup().finally(() => {
      clearTimeout(timer);
      process.exit(127);
    });
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

/** Runs `fn` before exiting on an interrupt, until the returned function withdraws it. */
export function onInterrupt(fn: Cleanup): () => void {
  cleanup = fn;
  return () => {
    if (cleanup === fn) cleanup = undefined;
  };
}
