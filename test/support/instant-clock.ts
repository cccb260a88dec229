import type { Clock } from '../../src/infra/clock.ts';

/**
 * A Clock whose sleeps return at once (after recording their length), so retry delays cost no
 * test time; an already aborted signal still rejects, as the real clock's would.
 */
export class InstantClock implements Clock {
  readonly sleeps: number[] = [];
  #now: number;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  async sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) throw signal.reason;
    this.sleeps.push(ms);
    this.#now += ms;
  }
}
