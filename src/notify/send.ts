/**
 * One HTTP attempt, classified (style practice 7): 2xx delivered; 429, 5xx, timeouts and network
 * errors are worth retrying; any other status is permanent, because the same body to the same URL
 * will be refused again (a revoked Slack webhook answers 403/404 forever). Never throws.
 */
import type { Dispatcher } from 'undici';
import { request } from '../infra/undici.ts';
import type { OutgoingRequest } from './channel.ts';
import { parseRetryAfter } from './backoff.ts';

export type AttemptResult =
  | { outcome: 'delivered'; status: number }
  | { outcome: 'retry'; status?: number; errorCode?: string; retryAfterMs?: number }
  | { outcome: 'permanent'; status: number }
  /** `stopSignal` fired: the Notifier is shutting down, so do not count this as a failed try. */
  | { outcome: 'aborted' };

export interface SendOptions {
  /** Fires on shutdown; aborts the request in flight. */
  stopSignal: AbortSignal;
  timeoutMs: number;
  now: number;
  dispatcher?: Dispatcher;
}

/** Receivers answer with a few bytes; read no more than this so the socket can be reused. */
const MAX_BODY_BYTES = 16 * 1024;

export async function sendOnce(req: OutgoingRequest, options: SendOptions): Promise<AttemptResult> {
  try {
    const res = await request(req.url, {
      method: 'POST',
      headers: req.headers,
      body: req.body,
      signal: AbortSignal.any([options.stopSignal, AbortSignal.timeout(options.timeoutMs)]),
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
      ...(options.dispatcher && { dispatcher: options.dispatcher }),
    });
    // Best effort: a body we cannot read does not change what the status told us.
    await res.body.dump({ limit: MAX_BODY_BYTES }).catch(() => undefined);
    const status = res.statusCode;
    if (status >= 200 && status < 300) return { outcome: 'delivered', status };
    if (status === 429 || status >= 500) {
      const retryAfterMs = parseRetryAfter(res.headers['retry-after'], options.now);
      return { outcome: 'retry', status, ...(retryAfterMs !== undefined && { retryAfterMs }) };
    }
    return { outcome: 'permanent', status };
  } catch (err) {
    if (options.stopSignal.aborted) return { outcome: 'aborted' };
    return { outcome: 'retry', errorCode: errorCode(err) };
  }
}

/**
 * A short constant naming the failure, safe to log. Never the error itself: undici errors can
 * carry the request URL, and a webhook URL is a credential.
 */
export function errorCode(err: unknown): string {
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown; name?: unknown } } | null;
  const candidates = [e?.code, e?.cause?.code, e?.name === 'TimeoutError' || e?.cause?.name === 'TimeoutError' ? 'TIMEOUT' : undefined, e?.name];
  const code = candidates.find((c): c is string => typeof c === 'string' && /^[A-Za-z_]{1,40}$/.test(c));
  return code ?? 'UNKNOWN';
}
