/**
 * Per-app log ring buffer, like the few minutes of logs Fly's log API keeps: old lines fall off,
 * and every line carries a sequence number so a tailing reader can ask for what is new.
 */
import type { LogEntry } from './sim-types.ts';

export const DEFAULT_LOG_CAPACITY = 500;

export class LogBuffer {
  readonly #capacity: number;
  #entries: LogEntry[] = [];
  #seq = 0;

  constructor(capacity = DEFAULT_LOG_CAPACITY) {
    this.#capacity = capacity;
  }

  append(entry: Omit<LogEntry, 'seq'>): LogEntry {
    const full = { ...entry, seq: ++this.#seq };
    this.#entries.push(full);
    // Trim in batches: splicing one line per append would make a busy app O(capacity) per line.
    if (this.#entries.length > this.#capacity * 1.25) this.#entries = this.#entries.slice(-this.#capacity);
    return full;
  }

  /** Entries with seq > `afterSeq`, oldest first, at most `capacity` of them. */
  since(afterSeq = 0): LogEntry[] {
    return this.#entries.filter((e) => e.seq > afterSeq).slice(-this.#capacity);
  }

  get lastSeq(): number {
    return this.#seq;
  }
}
