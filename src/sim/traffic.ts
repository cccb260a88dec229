/**
 * Simulated user traffic, so the app's counters move the way real ones do. Each tick turns
 * rate × elapsed time into a whole number of requests (carrying the fraction to the next tick),
 * draws how many failed from Binomial(n, p) at the current profile's error probability, and
 * records them in the metrics plus a few access-log lines. A `down` app gets no traffic at all:
 * nothing reaches the process, so its own counters stand still.
 */
import type { AppMetrics } from './app-metrics.ts';
import { errorProbability, isListening, responseDelayMs, type Profile } from './profile.ts';
import { binomial, normal, pick, type Rng } from './prng.ts';
import type { LogLevel } from './sim-types.ts';

export const DEFAULT_REQUEST_RATE = 20;
export const DEFAULT_BASELINE_ERROR_RATE = 0.005;
export const DEFAULT_TICK_MS = 250;
/** A stalled event loop (or a fake clock jump) must not turn into one absurd burst. */
const MAX_TICK_ELAPSED_MS = 60_000;
const MAX_LOG_LINES_PER_TICK = 4;
const MAX_LATENCY_DRAWS = 200;
const PATHS = ['/api/v1/projects', '/api/v1/projects/42', '/api/v1/renders', '/api/v1/me'];

export interface TickResult {
  requests: number;
  errors: number;
  /** Fractional request left over, added to the next tick. */
  carry: number;
}

/** One tick of traffic: pure apart from the Rng. */
export function trafficTick(ratePerSec: number, elapsedMs: number, carry: number, errorP: number, rng: Rng): TickResult {
  const expected = Math.max(0, ratePerSec) * (Math.min(Math.max(0, elapsedMs), MAX_TICK_ELAPSED_MS) / 1000) + carry;
  const requests = Math.floor(expected);
  return { requests, errors: binomial(requests, errorP, rng), carry: expected - requests };
}

/** Latency of one simulated request: log-normal around 25 ms, plus the profile's delay. */
export function requestSeconds(profile: Profile, rng: Rng): number {
  const base = Math.exp(Math.log(0.025) + 0.5 * normal(rng));
  return base + responseDelayMs(profile) / 1000;
}

export interface TrafficOptions {
  ratePerSec: number;
  baselineErrorRate: number;
  tickMs?: number;
  now: () => number;
  rng: Rng;
  profile: () => Profile;
  metrics: AppMetrics;
  log: (level: LogLevel, message: string) => void;
}

export class TrafficLoop {
  readonly #opts: TrafficOptions;
  #rate: number;
  #carry = 0;
  #last: number;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: TrafficOptions) {
    this.#opts = opts;
    this.#rate = opts.ratePerSec;
    this.#last = opts.now();
  }

  start(): void {
    if (this.#timer) return;
    this.#last = this.#opts.now();
    this.#timer = setInterval(() => this.tick(), this.#opts.tickMs ?? DEFAULT_TICK_MS);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  setRate(ratePerSec: number): void {
    this.#rate = ratePerSec;
  }

  /** Runs one tick now; the interval calls this, tests may too. */
  tick(): TickResult {
    const now = this.#opts.now();
    const elapsed = now - this.#last;
    this.#last = now;
    const profile = this.#opts.profile();
    if (!isListening(profile)) {
      this.#carry = 0;
      return { requests: 0, errors: 0, carry: 0 };
    }
    const { rng, metrics } = this.#opts;
    const result = trafficTick(this.#rate, elapsed, this.#carry, errorProbability(profile, this.#opts.baselineErrorRate), rng);
    this.#carry = result.carry;
    const lines: { level: LogLevel; message: string }[] = [];
    const record = (status: number, count: number) => {
      // Latency is drawn per request up to a point; beyond it each draw stands for several
      // requests, so a huge rate costs no more than a modest one.
      const draws = Math.min(count, MAX_LATENCY_DRAWS);
      for (let i = 0; i < draws; i++) {
        const weight = Math.floor(count / draws) + (i < count % draws ? 1 : 0);
        const seconds = requestSeconds(profile, rng);
        metrics.recordRequests(status, seconds, weight);
        if (lines.length < MAX_LOG_LINES_PER_TICK) {
          const message = `${pick(rng, ['GET', 'GET', 'POST'])} ${pick(rng, PATHS)} ${status} ${Math.round(seconds * 1000)}ms`;
          lines.push({ level: status >= 500 ? 'error' : 'info', message });
        }
      }
    };
    // Errors first so a failing tick's log lines show the failures.
    record(500, result.errors);
    record(200, result.requests - result.errors);
    metrics.recordJobs(result.requests - result.errors, result.errors);
    for (const line of lines) this.#opts.log(line.level, line.message);
    return result;
  }
}
