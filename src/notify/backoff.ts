/**
 * When to try again. Pure: the random source and `now` come in as arguments, so tests pin them.
 */

export interface BackoffPolicy {
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * Wait before retry number `retry` (1 for the first retry): `initialDelay × 2^(retry-1)`, capped,
 * then "equal jitter" (half fixed, half random) so a fleet of watchdogs that failed together does
 * not retry together, yet never retries sooner than half the nominal delay.
 * https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/
 */
export function backoffDelay(retry: number, policy: BackoffPolicy, random: () => number): number {
  const nominal = Math.min(policy.maxDelayMs, policy.initialDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(nominal / 2 + (random() * nominal) / 2);
}

/**
 * Milliseconds a `Retry-After` header asks for (delta-seconds or an HTTP date), or undefined when
 * absent or unreadable. Not capped here; the caller caps at maxDelay so a hostile or buggy server
 * cannot park a channel for an hour.
 */
export function parseRetryAfter(header: string | string[] | undefined, now: number): number | undefined {
  const value = (Array.isArray(header) ? header[0] : header)?.trim();
  if (!value) return undefined;
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  // An HTTP date always names a month; without this, Date.parse would read "-5" as the year -5.
  if (!/[a-z]{3}/i.test(value)) return undefined;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
}
