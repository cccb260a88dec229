/**
 * The daemon's engine, put together: the fleet of runners this replica guards, a node-cron schedule
 * that polls their releases, the group coordinator, operator controls, the command router, and the
 * read model and live feed the admin API serves for every target. Alone (SQLite) it guards every
 * target; with several replicas (PostgreSQL, docs/ha.md) leases decide which it guards, and a
 * command on a target another replica guards is forwarded to it through the database.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { ResolvedTarget } from '../config/resolve.ts';
import type { LeaseFence } from '../domain/lease.ts';
import type { Controls, RollbackPolicy } from '../domain/policy.ts';
import { initialState, type ReleaseRef, type TargetState } from '../domain/target-state.ts';
import type { LeaseManager } from '../ha/lease-manager.ts';
import { JournalTail } from '../ha/journal-tail.ts';
import { cronLogger } from '../infra/cron-logger.ts';
import { WD_ERR_TARGET_UNKNOWN } from '../infra/errors.ts';
import type { ReleaseRecord, Transition } from '../store/types.ts';
import { CommandRouter } from './command-router.ts';
import type { WatchdogDeps } from './watchdog-deps.ts';
import { performReplicaDuties } from './replica-duties.ts';
import type { CommandOutcome, TargetCommand } from './commands.ts';
import { GLOBAL, OperatorControls } from './controls.ts';
import { Fleet } from './fleet.ts';
import { GroupCoordinator } from './group-coordinator.ts';
import { LiveFeed } from './live-feed.ts';
import { staggerOffset } from './runner/stagger.ts';
import type { TargetRunner } from './runner/target-runner.ts';
import { groupStepRefusal } from './step/group-rails.ts';
import { summarize, type TargetSummary } from './target-summary.ts';

export { GLOBAL } from './controls.ts';
export type { Replication, WatchdogDeps } from './watchdog-deps.ts';

export class Watchdog {
  readonly #deps: WatchdogDeps;
  readonly #targets = new Map<string, ResolvedTarget>();
  readonly #fleet: Fleet;
  readonly #groups: GroupCoordinator;
  readonly #controls: OperatorControls;
  readonly #router: CommandRouter;
  readonly #leases: LeaseManager | undefined;
  readonly #stopping = new AbortController();
  readonly #feed: LiveFeed;
  #task: ScheduledTask | undefined;
  #commandLoop: Promise<void> | undefined;

  private constructor(deps: WatchdogDeps, controls: Record<string, Controls>) {
    this.#deps = deps;
    for (const target of deps.targets) this.#targets.set(target.name, target);
    this.#feed = new LiveFeed(deps.logger);
    this.#controls = new OperatorControls(controls, deps);
    this.#groups = new GroupCoordinator({
      ...deps,
      groups: deps.groups ?? [],
      runner: (name) => this.#fleet.get(name),
      refusal: (step, history) => groupStepRefusal(step, history, this.target(step.target), this.policyFor(this.target(step.target)), deps.clock.now()),
    });
    this.#fleet = new Fleet({
      targets: deps.targets,
      clock: deps.clock,
      groups: deps.groups ?? [],
      logger: deps.logger,
      runnerDeps: (target, index, lease) => this.#runnerDeps(target, index, lease),
      onAdopted: (runners) => runners.forEach((r) => this.#feed.opened(r.target.name, r.state.phase)),
      journal: async (entry) => {
        await deps.store.appendJournal(entry);
        this.#feed.decision(entry);
      },
      onStarted: (runners) => this.#groups.resumeInterrupted(runners),
      onDropped: (name) => this.#feed.dropped(name),
      setGuardedCount: (count) => deps.metrics.setGuardedTargets?.(count),
      ...(deps.metrics.incLeaseChange && { incLeaseChange: (change: string) => deps.metrics.incLeaseChange?.(change) }),
    });
    this.#leases = deps.replication?.leases(
      { isQuiet: (shard) => this.#fleet.isQuiet(shard), onAcquired: (shard, fence) => this.#fleet.adopt(shard, fence), onLost: (shard, reason) => this.#fleet.drop(shard, reason) },
      [...this.#fleet.shards.keys()],
    );
    if (this.#leases) this.#fleet.useLeases(this.#leases);
    this.#router = new CommandRouter({
      ...deps,
      runner: (name) => this.#fleet.get(name),
      ...(deps.replication && { queue: deps.replication.commands }),
      forwardTimeoutMs: deps.replication?.forwardTimeoutMs ?? 20_000,
    });
  }

  /** Opens the watchdog. Alone, every target's runner is opened (and resumes) right here. */
  static async open(deps: WatchdogDeps): Promise<Watchdog> {
    const watchdog = new Watchdog(deps, await deps.store.loadControls());
    if (!watchdog.#leases) for (const shard of watchdog.#fleet.shards.keys()) await watchdog.#fleet.adopt(shard);
    return watchdog;
  }

  #runnerDeps(target: ResolvedTarget, index: number, lease: (() => LeaseFence | undefined) | undefined) {
    const deps = this.#deps;
    const group = this.#groups.groupOf(target.name);
    return {
      ...deps,
      ...deps.signals(target),
      target,
      policy: () => this.policyFor(target),
      ...(group && { group: group.name, coordinateGroup: (_: string, from: ReleaseRef) => this.#groups.coordinate(group, target.name, from) }),
      ...(lease && { lease }),
      // Spread the targets' probe rounds evenly over one interval.
      startOffsetMs: staggerOffset(index, deps.targets.length, target.guard.probeInterval),
      onProbe: (point: Parameters<LiveFeed['probe']>[1]) => this.#feed.probe(target.name, point),
      onRate: (point: Parameters<LiveFeed['rate']>[1]) => this.#feed.rate(target.name, point),
      afterTransition: (t: Transition) => {
        deps.afterTransition?.(t);
        this.#feed.transition(target, t, this.policyFor(target));
      },
    };
  }

  /** Starts every runner, the leases (with replicas), polls once right away, then on the cron schedule. */
  async start(): Promise<void> {
    this.#fleet.start();
    this.#leases?.start();
    const replication = this.#deps.replication;
    if (replication) {
      const tail = new JournalTail({
        store: this.#deps.store,
        guardedHere: (target) => this.guards(target),
        publishDecision: (j) => this.#feed.decision(j),
        publishState: (state) => {
          const target = this.#targets.get(state.target);
          if (target) this.#feed.state(target, state, this.policyFor(target));
        },
      });
      const duties = { ...this.#deps, controls: this.#controls, router: this.#router, tail, replica: this.#leases?.replicaId ?? 'solo', guarded: () => this.guarded(), pollMs: replication.commandPollMs ?? 500 };
      this.#commandLoop = performReplicaDuties(duties, this.#stopping.signal);
    }
    // node-cron writes its own warnings (a missed run, an overlap) to the console: they go through
    // the masked JSON logger instead.
    // Each target's poll joins its own poll under way, so a slow one never holds up the others:
    // the schedule fires and forgets.
    this.#task = cron.schedule(this.#deps.pollSchedule, () => void this.pollAll(), { name: 'poll-releases', logger: cronLogger(this.#deps.logger) });
    await this.pollAll();
  }

  /** Polls every target this process guards; a target's poll already running is joined rather than doubled. */
  async pollAll(): Promise<void> {
    await Promise.all(this.#fleet.all().map((r) => r.pollReleases()));
  }

  /** A deploy was announced (e.g. by CI): look now instead of at the next poll, wherever it is guarded. */
  pollTarget(name: string): Promise<void> {
    return this.#router.poll(this.target(name).name, 'deploy-notice');
  }

  /**
   * The command facade for a target: approve, veto, roll back, abort, mark. Applied by this
   * process's runner or forwarded to the replica that guards the target; resolves applied or
   * refused with the guard's code.
   */
  act(name: string, command: Exclude<TargetCommand, { kind: 'poll' }>): Promise<CommandOutcome> {
    return this.#router.act(this.target(name).name, command);
  }

  /** The command facade for controls: pause, resume and mode for one target or (scope `*`) all. */
  async setControls(scope: string, patch: Controls): Promise<Controls> {
    if (scope !== GLOBAL) this.target(scope);
    return this.#controls.set(scope, patch);
  }

  policyFor(target: ResolvedTarget): RollbackPolicy {
    return this.#controls.policyFor(target);
  }

  controls(): Record<string, Controls> {
    return this.#controls.all();
  }

  /** Live feed of decisions and phase changes for GET /api/v1/events (in memory, bounded). */
  get events(): LiveFeed['events'] {
    return this.#feed.events;
  }

  /** Recent probe results and error-rate points per target, for the status page's chart. */
  get series(): LiveFeed['series'] {
    return this.#feed.series;
  }

  /** The configured target, whichever replica guards it. */
  target(name: string): ResolvedTarget {
    const target = this.#targets.get(name);
    if (!target) throw new WD_ERR_TARGET_UNKNOWN(name);
    return target;
  }

  /** Every configured target's name, in config order. */
  targetNames(): string[] {
    return this.#deps.targets.map((t) => t.name);
  }

  /** The runner of a target this process guards. */
  runner(name: string): TargetRunner {
    const runner = this.#fleet.get(this.target(name).name);
    if (!runner) throw new WD_ERR_TARGET_UNKNOWN(name);
    return runner;
  }

  /** True when this process guards the target now. */
  guards(name: string): boolean {
    return this.#fleet.get(name) !== undefined;
  }

  /** Targets this process guards now. */
  guarded(): string[] {
    return this.#fleet.names();
  }

  /** The target's state: live if guarded here, else as the guarding replica last stored it. */
  async stateOf(name: string): Promise<TargetState> {
    const target = this.target(name);
    const runner = this.#fleet.get(target.name);
    if (runner) return runner.state;
    return (await this.#deps.store.loadState(target.name)) ?? initialState(target.name, 0);
  }

  summarize(name: string, state: TargetState): TargetSummary {
    const target = this.target(name);
    return summarize(target, state, this.policyFor(target));
  }

  async summary(name: string): Promise<TargetSummary> {
    return this.summarize(name, await this.stateOf(name));
  }

  /** Every target in config order: guarded ones live, the others from the store. */
  async summaries(): Promise<TargetSummary[]> {
    const elsewhere = this.#fleet.size < this.#targets.size ? await this.#deps.store.loadStates() : [];
    const stored = new Map(elsewhere.map((s) => [s.target, s]));
    return this.#deps.targets.map((t) => summarize(t, this.#fleet.get(t.name)?.state ?? stored.get(t.name) ?? initialState(t.name, 0), this.policyFor(t)));
  }

  /**
   * Ready once the release list of every target guarded here has been read, and (with replicas)
   * once the leases have had their first full round.
   */
  get ready(): boolean {
    if (this.#leases && !this.#leases.settled) return false;
    return this.#fleet.all().every((r) => r.hasPolled);
  }

  /** A target's releases with verdicts, newest first. */
  releases(name: string, limit?: number): Promise<ReleaseRecord[]> {
    return this.#deps.store.listReleases(this.target(name).name, limit);
  }

  async stop(graceMs: number): Promise<void> {
    this.#stopping.abort(new Error('stopping'));
    this.#fleet.halt();
    // No new shards from here on; the leases held are given back once their runners have stopped.
    await this.#leases?.halt();
    await this.#task?.stop();
    await this.#task?.destroy();
    await Promise.race([this.#groups.drain(), this.#deps.clock.sleep(graceMs)]);
    await this.#commandLoop;
    await this.#fleet.stop(graceMs);
    // Leases last: the runners have stopped, so another replica may take over right away.
    await this.#leases?.releaseAll();
  }
}
