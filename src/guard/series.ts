/**
 * The recent measurements of each target, for the status page's chart and probe strip: a bounded
 * in-memory ring per target. Like the events feed it is not durable (the journal is the record);
 * after a restart, or on a replica that does not own the target, the chart starts empty.
 *
 * Stored by column (a Float64Array per number, interned strings), not as one object per point:
 * full rings of objects took 177 KB per target (17.7 MB at 100 targets, measured with
 * --expose-gc), which the scale benchmark's short window never showed. Columns take 65 KB.
 */
import { ColumnRing } from './column-ring.ts';

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

/** Column order of a rate ring: numbers, then strings. */
const RATE_NUMBERS = 7; // at, version, rate, baselineRate, threshold, requests, errors
const RATE_STRINGS = 1; // phase
const PROBE_NUMBERS = 1; // at
const PROBE_STRINGS = 3; // check, phase, detail

interface Rings {
  rates: ColumnRing;
  probes: ColumnRing;
}

export class MeasurementSeries {
  readonly #rateCapacity: number;
  readonly #probeCapacity: number;
  readonly #byTarget = new Map<string, Rings>();
  readonly #strings = new Interner();

  constructor(options: SeriesOptions = {}) {
    this.#rateCapacity = Math.max(1, options.rateCapacity ?? 720);
    this.#probeCapacity = Math.max(1, options.probeCapacity ?? 600);
  }

  /** Points with a non-finite number are dropped: JSON cannot carry them, the chart cannot draw them. */
  addRate(target: string, p: RatePoint): void {
    if (![p.rate, p.baselineRate, p.threshold].every(Number.isFinite)) return;
    this.#of(target).rates.push([p.at, p.version ?? Number.NaN, p.rate, p.baselineRate, p.threshold, p.requests, p.errors], [this.#strings.get(p.phase)]);
  }

  addProbe(target: string, p: ProbePoint): void {
    this.#of(target).probes.push([p.at], [this.#strings.get(p.check), this.#strings.get(p.phase), p.detail === undefined ? undefined : this.#strings.get(p.detail)]);
  }

  /** A copy of the target's points, oldest first, optionally only those at or after `since`. */
  get(target: string, since = 0): TargetSeries {
    const rings = this.#byTarget.get(target);
    if (!rings) return { rates: [], probes: [] };
    const rates: RatePoint[] = [];
    rings.rates.forEach((n, s) => {
      if (n[0]! < since) return;
      const version = n[1]!;
      rates.push({ at: n[0]!, ...(!Number.isNaN(version) && { version }), phase: s[0]!, rate: n[2]!, baselineRate: n[3]!, threshold: n[4]!, requests: n[5]!, errors: n[6]! });
    });
    const probes: ProbePoint[] = [];
    rings.probes.forEach((n, s) => {
      if (n[0]! < since) return;
      probes.push({ at: n[0]!, check: s[0]!, phase: s[1]!, ...(s[2] !== undefined && { detail: s[2] }) });
    });
    return { rates, probes };
  }

  /** Forgets a target (its guard moved to another replica). */
  drop(target: string): void {
    this.#byTarget.delete(target);
  }

  #of(target: string): Rings {
    let rings = this.#byTarget.get(target);
    if (!rings) {
      rings = { rates: new ColumnRing(this.#rateCapacity, RATE_NUMBERS, RATE_STRINGS), probes: new ColumnRing(this.#probeCapacity, PROBE_NUMBERS, PROBE_STRINGS) };
      this.#byTarget.set(target, rings);
    }
    return rings;
  }
}

/**
 * One copy of each string seen (phases, check names and the details, which repeat: "200 in 3ms").
 * Bounded: past MAX_INTERNED distinct strings, new ones are kept as they come (never wrong, only
 * not shared).
 */
const MAX_INTERNED = 10_000;
class Interner {
  readonly #seen = new Map<string, string>();

  get(s: string): string {
    const known = this.#seen.get(s);
    if (known !== undefined) return known;
    if (this.#seen.size < MAX_INTERNED) this.#seen.set(s, s);
    return s;
  }
}
