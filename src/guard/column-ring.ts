/**
 * A bounded ring buffer of records stored by column: `numbers` Float64Array columns and `strings`
 * columns of string references. Pushing past `capacity` overwrites the oldest record. Storage
 * starts small and doubles up to `capacity`, so a target that is never measured costs little.
 */
const INITIAL = 32;

export class ColumnRing {
  readonly #capacity: number;
  #allocated: number;
  #numbers: Float64Array[];
  #strings: (string | undefined)[][];
  /** Physical index of the oldest record. */
  #head = 0;
  #length = 0;

  constructor(capacity: number, numbers: number, strings: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError(`capacity must be a positive integer, got ${capacity}`);
    this.#capacity = capacity;
    this.#allocated = Math.min(capacity, INITIAL);
    this.#numbers = Array.from({ length: numbers }, () => new Float64Array(this.#allocated));
    this.#strings = Array.from({ length: strings }, () => new Array<string | undefined>(this.#allocated).fill(undefined));
  }

  get length(): number {
    return this.#length;
  }

  /** Appends one record: `numbers` and `strings` in column order. */
  push(numbers: readonly number[], strings: readonly (string | undefined)[]): void {
    if (this.#length === this.#allocated && this.#allocated < this.#capacity) this.#grow();
    let slot: number;
    if (this.#length < this.#allocated) {
      slot = (this.#head + this.#length) % this.#allocated;
      this.#length++;
    } else {
      slot = this.#head; // full at capacity: the oldest gives way
      this.#head = (this.#head + 1) % this.#allocated;
    }
    for (let c = 0; c < this.#numbers.length; c++) this.#numbers[c]![slot] = numbers[c]!;
    for (let c = 0; c < this.#strings.length; c++) this.#strings[c]![slot] = strings[c];
  }

  /** Calls `visit` with each record's columns, oldest first (the arrays are reused between calls). */
  forEach(visit: (numbers: readonly number[], strings: readonly (string | undefined)[]) => void): void {
    const numbers = new Array<number>(this.#numbers.length);
    const strings = new Array<string | undefined>(this.#strings.length);
    for (let i = 0; i < this.#length; i++) {
      const slot = (this.#head + i) % this.#allocated;
      for (let c = 0; c < numbers.length; c++) numbers[c] = this.#numbers[c]![slot]!;
      for (let c = 0; c < strings.length; c++) strings[c] = this.#strings[c]![slot];
      visit(numbers, strings);
    }
  }

  #grow(): void {
    const size = Math.min(this.#capacity, this.#allocated * 2);
    // Unrolled oldest-first into the new arrays, so the head starts at 0 again.
    const order = Array.from({ length: this.#length }, (_, i) => (this.#head + i) % this.#allocated);
    this.#numbers = this.#numbers.map((column) => {
      const next = new Float64Array(size);
      order.forEach((slot, i) => (next[i] = column[slot]!));
      return next;
    });
    this.#strings = this.#strings.map((column) => {
      const next = new Array<string | undefined>(size).fill(undefined);
      order.forEach((slot, i) => (next[i] = column[slot]));
      return next;
    });
    this.#allocated = size;
    this.#head = 0;
  }
}
