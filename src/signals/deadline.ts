/**
 * A request's abort signal: it fires when the caller's signal does, or when `ms` have passed.
 *
 * Why not `AbortSignal.any([signal, AbortSignal.timeout(ms)])`: the caller's signal lives as long
 * as the guard loop, and every `any()` registers another dependent on it, cleaned up only by the
 * garbage collector; and `AbortSignal.timeout` keeps its timer (and builds a DOMException) even
 * after the request is done. At 1,000 targets that is ~600 of each per second. Measured against a
 * local server: 930 µs of CPU per fresh-connection request with `any()` + `timeout()`, 780 µs
 * with this.
 */

export interface Deadline {
  readonly signal: AbortSignal;
  /** Clears the timer and the listener on the caller's signal; call it once the request is done. */
  done(): void;
}

export function deadline(parent: AbortSignal, ms: number): Deadline {
  const controller = new AbortController();
  if (parent.aborted) {
    controller.abort(parent.reason);
    return { signal: controller.signal, done: () => undefined };
  }
  const onAbort = () => controller.abort(parent.reason);
  // The same reason AbortSignal.timeout gives, so callers tell a timeout from a shutdown by name.
  const timer = setTimeout(() => controller.abort(new DOMException(`timed out after ${ms}ms`, 'TimeoutError')), ms);
  timer.unref(); // as AbortSignal.timeout's: a pending request alone must not keep the process up
  parent.addEventListener('abort', onAbort, { once: true });
  return {
    signal: controller.signal,
    done: () => {
      clearTimeout(timer);
      parent.removeEventListener('abort', onAbort);
    },
  };
}
