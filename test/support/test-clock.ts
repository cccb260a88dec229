import type { Clock } from '../../src/infra/clock.ts';

interface PendingSleep {
  until: number;
  resolve: () => void;
}

/**
 * The tests' Clock. In `auto` mode every sleep ends at once (time jumps forward), so retries run at
 * test speed; in `manual` mode sleeps of more than 0 ms wait for advance(). Either way `sleeps`
 * records each requested delay, which is what backoff assertions check, and a sleep on an aborted
 * signal rejects as the real clock's would.
 */
export class TestClock implements Clock {
  t: number;
  readonly sleeps: number[] = [];
  readonly #auto: boolean;
  #pending: PendingSleep[] = [];

  constructor(mode: 'auto' | 'manual' = 'auto', start = 1_700_000_000_000) {
    this.#auto = mode === 'auto';
    this.t = start;
  }

  now(): number {
    return this.t;
  }

  get pendingSleeps(): number {
    return this.#pending.length;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    this.sleeps.push(ms);
    if (this.#auto || ms <= 0) {
      this.t += ms;
      return Promise.resolve();
    }
    return new Promise<void>((resolve, reject) => {
      const entry: PendingSleep = { until: this.t + ms, resolve };
      this.#pending.push(entry);
      signal?.addEventListener(
        'abort',
        () => {
          this.#pending = this.#pending.filter((p) => p !== entry);
          reject(signal.reason);
        },
        { once: true },
      );
    });
  }

  advance(ms: number): void {
    this.t += ms;
    const due = this.#pending.filter((p) => p.until <= this.t);
    this.#pending = this.#pending.filter((p) => p.until > this.t);
    for (const p of due) p.resolve();
  }
}
