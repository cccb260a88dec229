/**
 * Server-sent events for the CLI (`rollback-watchdog watch`): a follower that reconnects with
 * `Last-Event-ID`, so a daemon restart loses nothing the daemon can still replay. The status page
 * follows the stream in plain JS (src/admin/ui/static/lib/sse.js) with the same parser.
 */
import { createParser, type EventSourceParser } from 'eventsource-parser';
import { request, type Dispatcher } from 'undici';
import { WD_ERR_DAEMON_ANSWER_INVALID, WD_ERR_DAEMON_UNREACHABLE } from '../infra/errors.ts';
import { ApiError } from './api-client.ts';
import { safeText } from './terminal-text.ts';

export interface SseEvent {
  /** The last `id:` seen (kept across events, as the HTML standard says). */
  id: string;
  type: string;
  data: string;
}

/** An event stream larger than this without a line end is not the daemon's: drop the connection. */
const MAX_EVENT_BYTES = 1024 * 1024;

/**
 * Events from text/event-stream chunks, parsed by eventsource-parser (the status page uses the same
 * parser). `lastEventId` carries over to events without an id of their own, as the HTML standard says.
 */
export class SseParser {
  lastEventId = '';
  #events: SseEvent[] = [];
  readonly #parser: EventSourceParser = createParser({
    onEvent: (e) => {
      if (e.id !== undefined) this.lastEventId = e.id;
      this.#events.push({ id: this.lastEventId, type: e.event ?? 'message', data: e.data });
    },
    onError: (err) => {
      throw err;
    },
    maxBufferSize: MAX_EVENT_BYTES,
  });

  /** Feeds decoded text; returns the events it completed. */
  push(text: string): SseEvent[] {
    this.#parser.feed(text);
    const done = this.#events;
    this.#events = [];
    return done;
  }
}

export interface FollowOptions {
  /** The events URL, e.g. http://127.0.0.1:8080/api/v1/events. */
  url: string;
  token?: string | undefined;
  signal: AbortSignal;
  onEvent(event: SseEvent): void | Promise<void>;
  /** The stream is open (`reconnected` on every open after the first). */
  onOpen(info: { reconnected: boolean }): void | Promise<void>;
  /** The stream dropped; the next attempt starts in `delayMs`. */
  onRetry(info: { attempt: number; delayMs: number; reason: string }): void;
  /** Delay before reconnect attempt `attempt` (1, 2, …). */
  backoff?: (attempt: number) => number;
  /** Reconnect after this long without a byte: the daemon sends a heartbeat every 15 s. */
  idleMs?: number;
  dispatcher?: Dispatcher;
}

/** 0.5 s, 1 s, 2 s … capped at 15 s. */
export const defaultBackoff = (attempt: number): number => Math.min(15_000, 500 * 2 ** (attempt - 1));

/**
 * Follows the stream until `signal` aborts (then resolves). Rejects with ApiError on 401/403, and
 * when the very first connection fails (a typo in the URL should not retry forever); once the
 * stream has been open, every failure is retried.
 */
export async function followSse(options: FollowOptions): Promise<void> {
  const { signal } = options;
  const backoff = options.backoff ?? defaultBackoff;
  let lastEventId = '';
  let opened = 0;
  let attempt = 0;
  while (!signal.aborted) {
    let received = false;
    let reason: string;
    try {
      const headers: Record<string, string> = { accept: 'text/event-stream' };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      if (lastEventId) headers['last-event-id'] = lastEventId;
      const res = await request(options.url, { headers, signal, headersTimeout: 10_000, bodyTimeout: options.idleMs ?? 45_000, ...(options.dispatcher && { dispatcher: options.dispatcher }) });
      if (res.statusCode === 401 || res.statusCode === 403) {
        const body = (await res.body.json().catch(() => ({}))) as { code?: string; message?: string };
        throw new ApiError(res.statusCode, safeText(String(body.code ?? `HTTP_${res.statusCode}`)), safeText(String(body.message ?? 'refused')));
      }
      if (res.statusCode !== 200) {
        await res.body.dump();
        if (opened === 0) throw new WD_ERR_DAEMON_ANSWER_INVALID(`HTTP ${res.statusCode} from GET ${new URL(options.url).pathname}`);
        reason = `HTTP ${res.statusCode}`;
      } else {
        await options.onOpen({ reconnected: opened++ > 0 });
        const parser = new SseParser();
        parser.lastEventId = lastEventId;
        const decoder = new TextDecoder();
        for await (const chunk of res.body) {
          received = true;
          for (const event of parser.push(decoder.decode(chunk as Buffer, { stream: true }))) {
            lastEventId = event.id;
            await options.onEvent(event);
          }
        }
        reason = 'the daemon closed the stream';
      }
    } catch (err) {
      if (signal.aborted) break;
      if (err instanceof ApiError || (err as { code?: string }).code === 'WD_ERR_DAEMON_ANSWER_INVALID') throw err;
      if (opened === 0) throw new WD_ERR_DAEMON_UNREACHABLE(new URL(options.url).origin, describe(err));
      reason = describe(err);
    }
    if (signal.aborted) break;
    // A stream that delivered something was healthy: the backoff starts over.
    attempt = received ? 1 : attempt + 1;
    const delayMs = backoff(attempt);
    options.onRetry({ attempt, delayMs, reason });
    await sleep(delayMs, signal);
  }
}

function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown };
  const message = typeof e.message === 'string' ? e.message : String(err);
  return typeof e.code === 'string' && !message.includes(e.code) ? `${e.code} ${message}` : message;
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
