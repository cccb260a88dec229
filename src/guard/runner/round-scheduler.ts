/**
 * The guard loop of one target on a fixed-rate schedule: iteration k is due at start + offset +
 * k × interval, so a slow round does not push every later one back; a round that overran its slot
 * skips the missed slots instead of running back to back. How late each round starts is the
 * schedule lag (a metric, and the scale benchmark's measure of whether one target delays others).
 *
 * A round: probes (while guarding or verifying), counters and latency readings, then a tick.
 */
import type { ResolvedTarget } from '../../config/resolve.ts';
import type { Probe } from '../../config/schema.ts';
import type { BuildRef } from '../../domain/build-identity.ts';
import type { Measurement } from '../../domain/measurement.ts';
import type { ErrorRateSnapshot, TargetState } from '../../domain/target-state.ts';
import type { Clock } from '../../infra/clock.ts';
import type { Logger } from '../../infra/log.ts';
import type { TargetLabels, WatchdogMetrics } from '../../metrics/recorder.ts';
import type { Platform } from '../../platform/types.ts';
import { CONNECTIVITY_CHECK, gateOnConnectivity } from '../../signals/connectivity.ts';
import type { CounterSource, LatencySource } from '../../signals/types.ts';
import type { ProbePoint, RatePoint } from '../series.ts';
import type { GuardEvent } from '../step/context.ts';
import { machinesOnImage, platformChecksPass } from './side-tasks.ts';
import { SmokeTests } from './smoke-tests.ts';

/** Phases in which counters and latency are read: a baseline while stable, the judgment while guarding. */
const READING_PHASES: ReadonlySet<string> = new Set(['idle', 'stable', 'rolled-back', 'guarding']);

export interface RoundSchedulerDeps {
  target: ResolvedTarget;
  platform: Platform;
  clock: Clock;
  logger: Logger;
  metrics: WatchdogMetrics;
  labels: TargetLabels;
  runProbe: (probe: Probe, signal: AbortSignal) => Promise<Measurement>;
  counterSource?: CounterSource;
  latencySource?: LatencySource;
  checkConnectivity?: (signal: AbortSignal) => Promise<Measurement>;
  state: () => TargetState;
  dispatch: (makeEvent: () => GuardEvent) => Promise<unknown>;
  onProbe?: (point: ProbePoint) => void;
  onRate?: (point: RatePoint) => void;
  /** Delay before the first round beyond one interval (targets started together spread out). */
  startOffsetMs: number;
}

export class RoundScheduler {
  readonly #deps: RoundSchedulerDeps;
  readonly #smoke: SmokeTests;
  /** When the error-rate judgment last reported to the chart (each judgment is reported once). */
  #lastRateAt: number | undefined;

  constructor(deps: RoundSchedulerDeps) {
    this.#deps = deps;
    this.#smoke = new SmokeTests({ ...deps, report: (m) => this.#report(m) });
  }

  async run(signal: AbortSignal): Promise<void> {
    const { clock, target } = this.#deps;
    const interval = target.guard.probeInterval;
    let due = clock.now() + interval + this.#deps.startOffsetMs;
    while (!signal.aborted) {
      try {
        await clock.sleep(Math.max(0, due - clock.now()), signal);
      } catch {
        return; // aborted
      }
      this.#deps.metrics.observeScheduleLag?.(Math.max(0, clock.now() - due) / 1000);
      await this.#round(signal);
      if (signal.aborted) return;
      due += interval;
      const now = clock.now();
      if (due < now) due += Math.ceil((now - due) / interval) * interval;
    }
  }

  async #round(signal: AbortSignal): Promise<void> {
    const { state, dispatch } = this.#deps;
    const phase = state().phase;
    // The round's readings start together, so their requests go out in one burst and come back in
    // one wakeup (see staggerOffset); they are still stepped in the same order.
    const reading = READING_PHASES.has(phase);
    const counters = reading ? this.#deps.counterSource?.read(signal) : undefined;
    const latency = reading ? this.#deps.latencySource?.read(signal) : undefined;
    // A read left behind by an early return (abort) must not surface as an unhandled rejection;
    // awaited below, a failure still reaches the caller.
    for (const pending of [counters, latency]) pending?.catch(() => undefined);
    if (phase === 'guarding' || phase === 'verifying') {
      const measurements = await this.#probeRound(signal);
      const rollback = state().rollback;
      if (phase === 'verifying' && rollback) measurements.push(await this.#checkMachines(rollback.to, signal));
      if (signal.aborted) return;
      const gated = await this.#gateOnConnectivity(measurements, signal);
      const platformHealthy = phase === 'guarding' ? await this.#platformView(gated, signal) : undefined;
      await dispatch(() => ({ type: 'probe-round', measurements: gated, ...(platformHealthy !== undefined && { platformHealthy }) }));
      if (phase === 'guarding') this.#smoke.startDue(signal);
    }
    if (counters) {
      const readout = await counters;
      if (signal.aborted) return;
      // The release this reading judges, taken before the step: a decisive reading ends the guard
      // (the phase moves on, the guard is cleared), and it is the one reading the chart must show.
      const judged = state().phase === 'guarding' ? state().guard?.release.version : undefined;
      await dispatch(() => ({ type: 'counters', readout }));
      const last = state().errorRate?.last;
      if (judged !== undefined && last) {
        this.#deps.metrics.setErrorRate(this.#deps.labels, last.rate, last.baselineRate, last.threshold);
        this.#reportRate(last, judged);
      }
    }
    if (latency) {
      const readout = await latency;
      if (signal.aborted) return;
      await dispatch(() => ({ type: 'latency', readout }));
    }
    await dispatch(() => ({ type: 'tick' }));
  }

  async #probeRound(signal: AbortSignal): Promise<Measurement[]> {
    const regular = this.#deps.target.probes.filter((p) => p.type !== 'smoke');
    const results = await Promise.all(regular.map((p) => this.#deps.runProbe(p, signal)));
    for (const m of results) {
      this.#report(m);
      this.#deps.logger.debug({ check: m.check, phase: m.phase, detail: m.detail, durationMs: m.durationMs }, 'probe');
    }
    return results;
  }

  async #checkMachines(build: BuildRef, signal: AbortSignal): Promise<Measurement> {
    const m = await machinesOnImage(this.#deps.platform, this.#deps.target.app, build, this.#deps.clock, signal);
    if (m.phase === 'error') this.#deps.metrics.incPlatformError('status');
    return m;
  }

  /**
   * A probe that could not get an answer (refused, timed out) is only evidence against the release
   * if the watchdog itself can reach the network: otherwise it rolls back nothing.
   */
  async #gateOnConnectivity(round: Measurement[], signal: AbortSignal): Promise<Measurement[]> {
    if (!this.#deps.checkConnectivity || !round.some((m) => m.phase === 'error')) return round;
    const connectivity = await this.#deps.checkConnectivity(signal);
    if (connectivity.phase !== 'successful') {
      this.#deps.logger.warn({ check: CONNECTIVITY_CHECK, detail: connectivity.detail }, 'watchdog connectivity lost; probe errors do not count against the release');
    }
    return gateOnConnectivity(round, connectivity);
  }

  /**
   * When a probe got no answer although the watchdog's network works, what Fly says of the app's
   * machines: the guard holds instead of rolling back when the two disagree (a partial partition).
   */
  async #platformView(round: readonly Measurement[], signal: AbortSignal): Promise<boolean | undefined> {
    if (!round.some((m) => m.phase === 'error')) return undefined;
    const healthy = await platformChecksPass(this.#deps.platform, this.#deps.target.app, signal);
    if (healthy === undefined) this.#deps.metrics.incPlatformError('status');
    return healthy;
  }

  /** A measurement for the metrics and the status page's probe strip (a view: it never stops the guard). */
  #report(m: Measurement): void {
    this.#deps.metrics.observeMeasurement(this.#deps.labels, m);
    try {
      this.#deps.onProbe?.({ at: this.#deps.clock.now(), check: m.check, phase: m.phase, ...(m.detail && { detail: m.detail }) });
    } catch {
      // The probe strip is a view; it must never stop the guard.
    }
  }

  #reportRate(last: ErrorRateSnapshot, version: number): void {
    if (last.at === this.#lastRateAt) return;
    this.#lastRateAt = last.at;
    // An unreadable source yields a judgment without numbers (NaN): nothing to draw.
    if (![last.rate, last.baselineRate, last.threshold].every(Number.isFinite)) return;
    try {
      this.#deps.onRate?.({ at: last.at, version, phase: last.phase, rate: last.rate, baselineRate: last.baselineRate, threshold: last.threshold, requests: last.requests, errors: last.errors });
    } catch {
      // The chart is a view; it must never stop the guard.
    }
  }
}
