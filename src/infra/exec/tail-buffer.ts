/**
 * Keeps only the last `limit` bytes written to it, so a chatty or runaway flyctl cannot grow the
 * watchdog's memory. Unlike execa's `maxBuffer`, overflowing never kills the process: killing
 * `fly deploy` halfway through a rolling update because it logged a lot would be worse than
 * losing the head of its output.
 */
export class TailBuffer {
  readonly #limit: number;
  #chunks: Buffer[] = [];
  #size = 0;
  #dropped = false;

  constructor(limit: number) {
    this.#limit = limit;
  }

  push(chunk: Buffer | string): void {
    const bytes = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
    this.#chunks.push(bytes);
    this.#size += bytes.length;
    // Drop whole chunks while the rest still covers the limit; toString() trims the remainder.
    let first = this.#chunks[0];
    while (first && this.#size - first.length >= this.#limit) {
      this.#chunks.shift();
      this.#size -= first.length;
      this.#dropped = true;
      first = this.#chunks[0];
    }
  }

  /** True when bytes were discarded, i.e. toString() is not the whole output. */
  get truncated(): boolean {
    return this.#dropped || this.#size > this.#limit;
  }

  /**
   * The kept tail as UTF-8. When truncated, the first (cut) line is dropped too: it is garbage,
   * and it could hold the end of a secret that masking can no longer recognise.
   */
  toString(): string {
    const all = Buffer.concat(this.#chunks);
    const tail = all.subarray(Math.max(0, all.length - this.#limit));
    if (!this.truncated) return tail.toString('utf8');
    const newline = tail.indexOf(0x0a);
    return newline === -1 ? '' : tail.subarray(newline + 1).toString('utf8');
  }
}
