/**
 * The recent measurements of each target, for the status page's chart and probe strip: a bounded
 * in-memory ring per target. Like the events feed it is not durable (the journal is the record);
 * after a restart, or on a replica that does not own the target, the chart starts empty.
 */

/** One error-rate reading: the guarded release's rate against its baseline and the test's boundary. */
export interface RatePoint {
  at: number;
  /** The release whose traffic this is (the guarded one while guarding, else the running one). */
  version?: number;
  phase: string;
  rate: number;
  baselineRate: number;
  threshold: number;
  requests: number;
  errors: number;
}

/** One probe result, for the strip of coloured cells. */
export interface ProbePoint {
  at: number;
  check: string;
  phase: string;
  detail?: string;
}

export interface TargetSeries {
  rates: RatePoint[];
  probes: ProbePoint[];
}

export interface SeriesOptions {
  /** Rate points kept per target; 720 by default (an hour at a 5 s interval). */
  rateCapacity?: number;
  /** Probe results kept per target; 600 by default. */
  probeCapacity?: number;
}

export class MeasurementSeries {
  readonly #rateCapacity: number;
  readonly #probeCapacity: number;
  readonly #byTarget = new Map<string, TargetSeries>();

  constructor(options: SeriesOptions = {}) {
    this.#rateCapacity = Math.max(1, options.rateCapacity ?? 720);
    this.#probeCapacity = Math.max(1, options.probeCapacity ?? 600);
  }

  /** Points with a non-finite number are dropped: JSON cannot carry them, the chart cannot draw them. */
  addRate(target: string, point: RatePoint): void {
    if (![point.rate, point.baselineRate, point.threshold].every(Number.isFinite)) return;
    push(this.#of(target).rates, point, this.#rateCapacity);
  }

  addProbe(target: string, point: ProbePoint): void {
    push(this.#of(target).probes, point, this.#probeCapacity);
  }

  /** A copy of the target's points, oldest first, optionally only those at or after `since`. */
  get(target: string, since = 0): TargetSeries {
    const s = this.#byTarget.get(target);
    if (!s) return { rates: [], probes: [] };
    return { rates: s.rates.filter((p) => p.at >= since), probes: s.probes.filter((p) => p.at >= since) };
  }

  /** Forgets a target (its guard moved to another replica). */
  drop(target: string): void {
    this.#byTarget.delete(target);
  }

  #of(target: string): TargetSeries {
    let s = this.#byTarget.get(target);
    if (!s) this.#byTarget.set(target, (s = { rates: [], probes: [] }));
    return s;
  }
}

function push<T>(ring: T[], item: T, capacity: number): void {
  ring.push(item);
  // Amortised: trim in chunks rather than shifting one element per push.
  if (ring.length > capacity + Math.ceil(capacity / 8)) ring.splice(0, ring.length - capacity);
}
