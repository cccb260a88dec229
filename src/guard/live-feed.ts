/**
 * The live view of the watchdog for GET /api/v1/events and the status page: decisions and phase
 * changes as events (in memory, bounded), and recent probe results and error-rate points per target.
 * A view only: publishing never throws into the guard.
 */
import type { ResolvedTarget } from '../config/resolve.ts';
import type { JournalEntry } from '../domain/journal.ts';
import type { RollbackPolicy } from '../domain/policy.ts';
import type { TargetPhase, TargetState } from '../domain/target-state.ts';
import type { Logger } from '../infra/log.ts';
import type { Transition } from '../store/types.ts';
import { EventBus } from './event-bus.ts';
import { MeasurementSeries, type ProbePoint, type RatePoint } from './series.ts';
import { summarize } from './target-summary.ts';

export class LiveFeed {
  readonly events = new EventBus();
  readonly series = new MeasurementSeries();
  readonly #logger: Logger;
  /** The phase last published per target, so a `state` event goes out only on a change. */
  readonly #lastPhase = new Map<string, TargetPhase>();

  constructor(logger: Logger) {
    this.#logger = logger;
  }

  /** Remembers the phase a target starts in (no event: nothing changed). */
  opened(target: string, phase: TargetPhase): void {
    this.#lastPhase.set(target, phase);
  }

  dropped(target: string): void {
    this.series.drop(target);
    this.#lastPhase.delete(target);
  }

  probe(target: string, point: ProbePoint): void {
    this.series.addProbe(target, point);
    this.events.publish('measurement', target, point.at, { kind: 'probe', ...point });
  }

  rate(target: string, point: RatePoint): void {
    this.series.addRate(target, point);
    this.events.publish('measurement', target, point.at, { kind: 'error-rate', ...point });
  }

  /** One journal line as a `decision` event. */
  decision(j: JournalEntry): void {
    this.events.publish('decision', j.target, j.at, {
      kind: j.kind,
      message: j.message,
      ...(j.data && { data: j.data }),
      ...(j.incidentId && { incidentId: j.incidentId }),
    });
  }

  /** A target's state as a `state` event (a summary). */
  state(target: ResolvedTarget, state: TargetState, policy: RollbackPolicy): void {
    this.#lastPhase.set(target.name, state.phase);
    this.events.publish('state', target.name, state.since, { ...summarize(target, state, policy) });
  }

  /** One durable transition: each journal line as a `decision`, then a `state` if the phase changed. */
  transition(target: ResolvedTarget, t: Transition, policy: RollbackPolicy): void {
    try {
      for (const j of t.journal) this.decision(j);
      if (t.state.phase !== this.#lastPhase.get(target.name)) this.state(target, t.state, policy);
    } catch (err) {
      this.#logger.warn({ err, target: target.name }, 'events feed: publish failed');
    }
  }
}
