/** Condition polling with a deadline: tests wait for a state, never for a fixed time. */

export interface PollOptions {
  timeoutMs?: number;
  intervalMs?: number;
  /** Names the condition in the timeout error. */
  what?: string;
}

/** Calls `check` until it returns a truthy value (which is returned) or `timeoutMs` passes (throws). */
export async function pollUntil<T>(check: () => T | Promise<T>, { timeoutMs = 10_000, intervalMs = 50, what = 'condition' }: PollOptions = {}): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
