// Server-sent events over fetch(). EventSource cannot send an Authorization header, and the token
// must not go in the URL, so the stream is read with fetch + ReadableStream and parsed here, with
// the same resume contract as EventSource: Last-Event-ID on every reconnect. No DOM: this module
// also runs under Node in the tests (test/ui/sse-client.test.ts). The page's import map resolves
// `eventsource-parser` to the package's browser build (src/admin/ui/layout.ts).
import { createParser } from 'eventsource-parser';

/**
 * Events from text/event-stream chunks, parsed by eventsource-parser (the CLI uses the same parser).
 * `lastEventId` carries over to events without an id of their own, as the HTML standard says.
 */
export class SseParser {
  lastEventId = '';
  #events = [];
  #parser = createParser({
    onEvent: (e) => {
      if (e.id !== undefined) this.lastEventId = e.id;
      this.#events.push({ id: this.lastEventId, type: e.event ?? 'message', data: e.data });
    },
    onError: (err) => {
      throw err;
    },
    maxBufferSize: 1024 * 1024,
  });

  /** Feeds decoded text; returns the events completed by it: {id, type, data} with data a string. */
  push(text) {
    this.#parser.feed(text);
    const done = this.#events;
    this.#events = [];
    return done;
  }
}

/** 0.5 s, 1 s, 2 s … up to 15 s, ±20 % so a fleet of tabs does not reconnect in step. */
export function defaultBackoff(attempt) {
  return Math.min(15_000, 500 * 2 ** attempt) * (0.8 + Math.random() * 0.4);
}

/**
 * Follows `url` until close(): parses events, remembers the last id, and reconnects with backoff
 * when the stream ends or fails (the daemon restarting). A 401 or 403 stops it: retrying cannot help.
 *
 * options: getToken() → string; onEvent({id, type, data}); onStatus(state, info) with state one of
 * connecting | live | reconnecting | stopped (info.reconnected is true for every live after the
 * first); onAuthError(status); backoff(attempt) → ms; idleMs: reconnect after this long without a
 * byte (the daemon sends a heartbeat every 15 s, so a silent stream is a dead one); fetch.
 */
export function followEvents(url, options) {
  const { getToken, onEvent, onStatus = () => {}, onAuthError = () => {}, backoff = defaultBackoff, idleMs = 45_000 } = options;
  const fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  const stop = new AbortController();
  let lastEventId = options.lastEventId ?? '';
  let opened = 0;

  async function once() {
    const connection = new AbortController();
    const abort = () => connection.abort();
    stop.signal.addEventListener('abort', abort);
    let idle;
    const arm = () => {
      clearTimeout(idle);
      idle = setTimeout(abort, idleMs);
    };
    try {
      const headers = { accept: 'text/event-stream', authorization: `Bearer ${getToken() ?? ''}` };
      if (lastEventId) headers['last-event-id'] = lastEventId;
      arm();
      const res = await fetchImpl(url, { headers, signal: connection.signal, cache: 'no-store', credentials: 'omit' });
      if (res.status === 401 || res.status === 403) return { auth: res.status };
      if (!res.ok || !res.body) return { received: false };
      onStatus('live', { reconnected: opened++ > 0 });
      const parser = new SseParser();
      parser.lastEventId = lastEventId;
      const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
      let received = false;
      for (;;) {
        const { value, done } = await reader.read();
        if (done) return { received };
        received = true;
        arm();
        for (const event of parser.push(value)) {
          lastEventId = event.id;
          onEvent(event);
        }
      }
    } catch {
      // Refused, reset or aborted: all mean "try again later" (or stop, which the loop checks).
      return { received: false };
    } finally {
      clearTimeout(idle);
      stop.signal.removeEventListener('abort', abort);
    }
  }

  async function loop() {
    let attempt = 0;
    while (!stop.signal.aborted) {
      onStatus(attempt === 0 && opened === 0 ? 'connecting' : 'reconnecting', { attempt });
      const result = await once();
      if (stop.signal.aborted) break;
      if (result.auth) {
        onAuthError(result.auth);
        break;
      }
      // A stream that delivered something was healthy: start the backoff over.
      attempt = result.received ? 0 : attempt + 1;
      onStatus('reconnecting', { attempt });
      await sleep(backoff(attempt), stop.signal);
    }
    onStatus('stopped', {});
  }

  const done = loop();
  return {
    close() {
      stop.abort();
      return done;
    },
    get lastEventId() {
      return lastEventId;
    },
  };
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    }, { once: true });
  });
}
