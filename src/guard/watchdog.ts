/**
 * The daemon's engine: one TargetRunner per configured target, a node-cron schedule that polls
 * every target's release list, and the read model the admin API serves.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../clock.ts';
import type { ResolvedTarget } from '../config/resolve.ts';
import { WD_ERR_TARGET_UNKNOWN } from '../errors.ts';
import type { Logger } from '../log.ts';
import type { WatchdogMetrics } from '../metrics/recorder.ts';
import type { NotifyEvent } from '../notify/events.ts';
import type { SecretRegistry } from '../secrets.ts';
import type { Platform } from '../platform/types.ts';
import type { TargetSignals } from '../signals/target-signals.ts';
import type { Controls, ReleaseRecord, Store, Transition } from '../store/types.ts';
import type { RollbackPolicy } from './policy.ts';
import type { TargetState } from './state.ts';
import { TargetRunner } from './target-runner.ts';
import type { GroupSpec } from './group-plan.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import { EventBus } from './event-bus.ts';
import { MeasurementSeries } from './series.ts';

export interface WatchdogDeps {
  targets: readonly ResolvedTarget[];
  groups?: readonly GroupSpec[];
  pollSchedule: string;
  platform: Platform;
  store: Store;
  /** Each target's signal sources (probes of every type, counters, latency, connectivity). */
  signals: (target: ResolvedTarget) => TargetSignals;
  clock: Clock;
  logger: Logger;
  metrics: WatchdogMetrics;
  postmortemAfterMs: number;
  notify?: (event: NotifyEvent) => void;
  afterTransition?: (transition: Transition) => void;
  secrets?: SecretRegistry;
}

export interface TargetSummary {
  name: string;
  app: string;
  environment: string;
  phase: TargetState['phase'];
  since: string;
  reason?: string;
  mode: RollbackPolicy['mode'];
  paused: boolean;
  hold?: TargetState['hold'];
  plan?: { from: number; to?: number; imageRef?: string; reason: string; trigger: string };
  current?: { version: number; imageRef: string; status: string };
  guard?: { version: number; imageRef: string; endsAt: string; tallies: Record<string, unknown> };
  rollback?: { from: number; to: number; imageRef: string; rollbackVersion?: number; attempts: number };
}

/** The scope key of global controls. */
export const GLOBAL = '*';

export class Watchdog {
  readonly #deps: WatchdogDeps;
  readonly #runners = new Map<string, TargetRunner>();
  readonly #groupOf = new Map<string, GroupSpec>();
  readonly #groups: GroupCoordinator;
  #controls: Record<string, Controls>;
  #task: ScheduledTask | undefined;
  #polling: Promise<void> | undefined;
  /** Live feed of decisions and phase changes for GET /api/v1/events (in memory, bounded). */
  readonly events = new EventBus();
  /** Recent probe results and error-rate points per target, for the status page's chart. */
  readonly series = new MeasurementSeries();

  private constructor(deps: WatchdogDeps, controls: Record<string, Controls>) {
    this.#deps = deps;
    this.#controls = controls;
    this.#groups = new GroupCoordinator({ store: deps.store, clock: deps.clock, logger: deps.logger, runner: (name) => this.runner(name) });
  }

  static async open(deps: WatchdogDeps): Promise<Watchdog> {
    const watchdog = new Watchdog(deps, await deps.store.loadControls());
    for (const group of deps.groups ?? []) for (const member of group.targets) watchdog.#groupOf.set(member, group);
    for (const [index, target] of deps.targets.entries()) {
      const group = watchdog.#groupOf.get(target.name);
      // Events feed: the phase last published for this target (set from the loaded state below).
      let lastPhase: TargetState['phase'] | undefined;
      const runner = await TargetRunner.open({
        ...deps,
        ...deps.signals(target),
        target,
        policy: () => watchdog.policyFor(target),
        ...(group && { group: group.name }),
        // Spread the targets' probe rounds evenly over one interval.
        startOffsetMs: Math.floor((index / deps.targets.length) * target.guard.probeInterval),
        onProbe: (point) => {
          watchdog.series.addProbe(target.name, point);
          watchdog.events.publish('measurement', target.name, point.at, { kind: 'probe', ...point });
        },
        onRate: (point) => {
          watchdog.series.addRate(target.name, point);
          watchdog.events.publish('measurement', target.name, point.at, { kind: 'error-rate', ...point });
        },
        afterTransition: (t) => {
          deps.afterTransition?.(t);
          const asked = t.journal.find((j) => j.kind === 'group-rollback-requested');
          if (group && asked && t.state.plan) watchdog.#groups.coordinate(group, target.name, t.state.plan.from);
          // Events feed: each journal line as a `decision`, then a `state` summary if the phase changed.
          watchdog.#publish(target, t, lastPhase);
          lastPhase = t.state.phase;
        },
      });
      lastPhase = runner.state.phase;
      watchdog.#runners.set(target.name, runner);
    }
    return watchdog;
  }

  /** Publishes one durable transition to the events feed; never throws into the guard. */
  #publish(target: ResolvedTarget, t: Transition, lastPhase: TargetState['phase'] | undefined): void {
    try {
      for (const j of t.journal) {
        this.events.publish('decision', j.target, j.at, {
          kind: j.kind,
          message: j.message,
          ...(j.data && { data: j.data }),
          ...(j.incidentId && { incidentId: j.incidentId }),
        });
      }
      if (t.state.phase !== lastPhase) {
        const summary = summarize(target, t.state, this.policyFor(target));
        this.events.publish('state', target.name, t.state.since, { ...summary });
      }
    } catch (err) {
      this.#deps.logger.warn({ err, target: target.name }, 'events feed: publish failed');
    }
  }

  /** Config plus operator controls: a target's own controls win over global ones, pause adds up. */
  policyFor(target: ResolvedTarget): RollbackPolicy {
    const global = this.#controls[GLOBAL] ?? {};
    const own = this.#controls[target.name] ?? {};
    return {
      mode: own.mode ?? global.mode ?? target.mode,
      paused: (global.paused ?? false) || (own.paused ?? target.paused),
      cooldownMs: target.rollback.cooldown,
      maxRollbacks: { count: target.rollback.maxAutomatic, periodMs: target.rollback.maxAutomaticPeriod },
    };
  }

  controls(): Record<string, Controls> {
    return structuredClone(this.#controls);
  }

  /** Changes pause or mode for one target or (scope `*`) all of them; persisted before it applies. */
  async setControls(scope: string, patch: Controls): Promise<Controls> {
    if (scope !== GLOBAL) this.runner(scope);
    const next = { ...this.#controls[scope], ...patch, at: this.#deps.clock.now() };
    await this.#deps.store.saveControls(scope, next, this.#deps.clock.now());
    this.#controls = { ...this.#controls, [scope]: next };
    this.#deps.logger.warn({ scope, controls: next }, 'operator controls changed');
    return next;
  }

  /** Starts every target's loop, polls once right away, then on the cron schedule. */
  async start(): Promise<void> {
    for (const runner of this.#runners.values()) runner.start();
    // A group rollback interrupted by a restart starts over from its plan (members already rolled
    // back are planned again only if they are still on the shipped release).
    for (const runner of this.#runners.values()) {
      const group = this.#groupOf.get(runner.target.name);
      const s = runner.state;
      if (group && s.phase === 'held' && s.hold?.kind === 'group' && s.plan) this.#groups.coordinate(group, runner.target.name, s.plan.from);
    }
    this.#task = cron.schedule(this.#deps.pollSchedule, () => this.pollAll(), { name: 'poll-releases', noOverlap: true });
    await this.pollAll();
  }

  /** Polls every target; a poll already running is joined rather than doubled. */
  pollAll(): Promise<void> {
    this.#polling ??= Promise.all([...this.#runners.values()].map((r) => r.pollReleases()))
      .then(() => undefined)
      .finally(() => {
        this.#polling = undefined;
      });
    return this.#polling;
  }

  /** A deploy was announced (e.g. by CI through the admin API): look now instead of at the next poll. */
  async pollTarget(name: string): Promise<void> {
    await this.runner(name).pollReleases();
  }

  runner(name: string): TargetRunner {
    const runner = this.#runners.get(name);
    if (!runner) throw new WD_ERR_TARGET_UNKNOWN(name);
    return runner;
  }

  /** Ready once every target's release list has been read at least once. */
  get ready(): boolean {
    return [...this.#runners.values()].every((r) => r.hasPolled);
  }

  /** A target's releases with verdicts, newest first. */
  releases(name: string, limit?: number): Promise<ReleaseRecord[]> {
    return this.#deps.store.listReleases(this.runner(name).target.name, limit);
  }

  summaries(): TargetSummary[] {
    return [...this.#runners.values()].map((r) => summarize(r.target, r.state, this.policyFor(r.target)));
  }

  async stop(graceMs: number): Promise<void> {
    await this.#task?.stop();
    await this.#task?.destroy();
    await Promise.race([this.#groups.drain(), this.#deps.clock.sleep(graceMs)]);
    await Promise.all([...this.#runners.values()].map((r) => r.stop(graceMs)));
    await this.#polling;
  }
}

export function summarize(target: ResolvedTarget, s: TargetState, policy: RollbackPolicy): TargetSummary {
  return {
    name: target.name,
    app: target.app,
    environment: target.environment,
    phase: s.phase,
    since: new Date(s.since).toISOString(),
    ...(s.reason && { reason: s.reason }),
    mode: policy.mode,
    paused: policy.paused,
    ...(s.hold && { hold: s.hold }),
    ...(s.plan && {
      plan: {
        from: s.plan.from.version,
        ...(s.plan.to && { to: s.plan.to.version, imageRef: s.plan.to.imageRef }),
        reason: s.plan.reason,
        trigger: s.plan.trigger,
      },
    }),
    ...(s.current && { current: s.current }),
    ...(s.guard && {
      guard: {
        version: s.guard.release.version,
        imageRef: s.guard.release.imageRef,
        endsAt: new Date(s.guard.endsAt).toISOString(),
        tallies: s.guard.tallies,
      },
    }),
    ...(s.rollback && {
      rollback: {
        from: s.rollback.from.version,
        to: s.rollback.to.version,
        imageRef: s.rollback.to.imageRef,
        ...(s.rollback.rollbackVersion !== undefined && { rollbackVersion: s.rollback.rollbackVersion }),
        attempts: s.rollback.attempts,
      },
    }),
  };
}
