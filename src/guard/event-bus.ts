/**
 * Live guard events for the status page (`GET /api/v1/events`): a bounded in-memory ring of what the
 * watchdog decided, with ids a reconnecting client can resume from. Nothing here is durable: the
 * journal in the store is the record, this is only the feed.
 *
 * Publishing never blocks: listeners run synchronously in publish order and must be cheap (the SSE
 * route only writes to a socket buffer, and drops a client whose buffer grows too large).
 */

/**
 * `measurement` events (probe results and error-rate points for the chart) are live only: they are
 * not kept in the ring, so at hundreds of targets they cannot evict the decisions a reconnecting
 * client needs. A client that missed some reloads them from GET /targets/:name/series.
 */
export type BusEventType = 'state' | 'decision' | 'measurement';

export interface BusEvent {
  /** Strictly increasing in publish order within one process; later processes start higher. */
  id: number;
  type: BusEventType;
  target: string;
  /** Epoch milliseconds. */
  at: number;
  data: Record<string, unknown>;
}

/** What a client resuming after `lastEventId` missed, or `gap` when the ring cannot tell. */
export type Since = { gap: false; events: BusEvent[] } | { gap: true; events: [] };

export type BusListener = (event: BusEvent) => void;

export interface EventBusOptions {
  /** Events kept for replay; 1,000 by default. */
  capacity?: number;
  /**
   * The first id. By default derived from the wall clock (ms × 1000), so a client still holding an
   * id from before a restart is older than this process's ring and gets a gap (reload) rather than
   * a replay of unrelated events that happen to share its numbers.
   */
  firstId?: number;
}

export class EventBus {
  readonly #capacity: number;
  readonly #ring: BusEvent[] = [];
  readonly #listeners = new Set<BusListener>();
  #nextId: number;

  constructor(options: EventBusOptions = {}) {
    this.#capacity = Math.max(1, options.capacity ?? 1_000);
    this.#nextId = options.firstId ?? Date.now() * 1_000;
  }

  /** The id of the latest event published, or `firstId - 1` before the first. */
  get lastId(): number {
    return this.#nextId - 1;
  }

  publish(type: BusEventType, target: string, at: number, data: Record<string, unknown>): BusEvent {
    const event: BusEvent = { id: this.#nextId++, type, target, at, data };
    if (type !== 'measurement') {
      this.#ring.push(event);
      if (this.#ring.length > this.#capacity) this.#ring.shift();
    }
    for (const listener of [...this.#listeners]) {
      try {
        listener(event);
      } catch {
        // A broken subscriber must not stop the guard or the other subscribers.
      }
    }
    return event;
  }

  /**
   * Buffered events after `lastEventId`, oldest first. A gap when events after it were already
   * evicted, or when the id is not one this process could have issued (from before a restart, or
   * from the future).
   */
  since(lastEventId: number): Since {
    const oldest = this.#ring[0]?.id ?? this.#nextId;
    if (!Number.isSafeInteger(lastEventId) || lastEventId < oldest - 1 || lastEventId > this.lastId) return { gap: true, events: [] };
    return { gap: false, events: this.#ring.filter((e) => e.id > lastEventId) };
  }

  /** Called for every later event until the returned function is called. */
  subscribe(listener: BusListener): () => void {
    this.#listeners.add(listener);
    return () => {
      this.#listeners.delete(listener);
    };
  }

  get subscribers(): number {
    return this.#listeners.size;
  }
}
