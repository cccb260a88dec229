/**
 * Smoke tests run beside the probe rounds (they can take minutes): each once when a guard starts
 * and then every `interval`, their result fed in as its own round if the same guard still runs.
 */
import type { ResolvedTarget } from '../../config/resolve.ts';
import type { Probe } from '../../config/schema.ts';
import type { Measurement } from '../../domain/measurement.ts';
import type { TargetState } from '../../domain/target-state.ts';
import type { Clock } from '../../infra/clock.ts';
import type { Logger } from '../../infra/log.ts';
import type { GuardEvent } from '../step/context.ts';

export interface SmokeTestsDeps {
  target: ResolvedTarget;
  clock: Clock;
  logger: Logger;
  runProbe: (probe: Probe, signal: AbortSignal) => Promise<Measurement>;
  state: () => TargetState;
  dispatch: (makeEvent: () => GuardEvent) => Promise<unknown>;
  report: (m: Measurement) => void;
}

export class SmokeTests {
  readonly #deps: SmokeTestsDeps;
  /** Which guard the runs belong to (its start time), when each test last ran, which are running. */
  #guard: number | undefined;
  readonly #lastRun = new Map<string, number>();
  readonly #running = new Set<string>();

  constructor(deps: SmokeTestsDeps) {
    this.#deps = deps;
  }

  startDue(signal: AbortSignal): void {
    const guard = this.#deps.state().guard;
    if (!guard) return;
    if (this.#guard !== guard.startedAt) {
      this.#guard = guard.startedAt;
      this.#lastRun.clear();
    }
    const now = this.#deps.clock.now();
    for (const probe of this.#deps.target.probes) {
      if (probe.type !== 'smoke' || this.#running.has(probe.name)) continue;
      const last = this.#lastRun.get(probe.name);
      if (last !== undefined && now - last < probe.interval) continue;
      this.#running.add(probe.name);
      this.#lastRun.set(probe.name, now);
      void this.#run(probe, guard.startedAt, signal).finally(() => this.#running.delete(probe.name));
    }
  }

  async #run(probe: Probe, guardStartedAt: number, signal: AbortSignal): Promise<void> {
    try {
      const m = await this.#deps.runProbe(probe, signal);
      this.#deps.report(m);
      if (signal.aborted || this.#deps.state().guard?.startedAt !== guardStartedAt) return;
      await this.#deps.dispatch(() => ({ type: 'probe-round', measurements: [m] }));
    } catch (err) {
      this.#deps.logger.error({ err, check: probe.name }, 'smoke test run failed');
    }
  }
}
