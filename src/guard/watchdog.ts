/**
 * The daemon's engine: one TargetRunner per target this replica guards, a node-cron schedule that
 * polls their release lists, and the read model the admin API serves for every target.
 *
 * Alone (SQLite) the daemon guards every target. With several replicas (PostgreSQL, docs/ha.md) a
 * LeaseManager hands it shards (a target, or a rollback group as a whole): runners open when a
 * shard's lease is taken and stop when it is lost, and an operator action on a target another
 * replica guards is queued in the database for that replica to carry out.
 */
import cron, { type ScheduledTask } from 'node-cron';
import type { Clock } from '../infra/clock.ts';
import type { ResolvedTarget } from '../config/resolve.ts';
import { WD_ERR_FORWARD_TIMEOUT, WD_ERR_NOT_OWNED, WD_ERR_TARGET_UNKNOWN } from '../infra/errors.ts';
import type { LeaseManager, LeaseManagerDeps, LossReason } from '../ha/lease-manager.ts';
import type { CommandQueue } from '../ha/types.ts';
import type { LeaseFence } from '../domain/lease.ts';
import { commandParams, runCommand, type TargetCommand } from './commands.ts';
import type { Logger } from '../infra/log.ts';
import type { WatchdogMetrics } from '../metrics/recorder.ts';
import type { NotifyEvent } from '../domain/notification.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import type { Platform } from '../platform/types.ts';
import type { TargetSignals } from '../signals/target-signals.ts';
import type { Controls } from '../domain/policy.ts';
import type { JournalEntry } from '../domain/journal.ts';
import type { ReleaseRecord, Store, Transition } from '../store/types.ts';
import { JournalTail } from '../ha/journal-tail.ts';
import type { RollbackPolicy } from '../domain/policy.ts';
import { initialState, type TargetState } from '../domain/target-state.ts';
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
  /** Several replicas: shard leases and the queue of forwarded actions. Absent: this process guards everything. */
  replication?: Replication;
  /** See RunnerDeps.relistAfterMs. */
  relistAfterMs?: number;
}

export interface Replication {
  /** Builds the lease manager for the watchdog's shards, with the watchdog's hooks wired in. */
  leases: (hooks: Pick<LeaseManagerDeps, 'isQuiet' | 'onAcquired' | 'onLost'>, shards: string[]) => LeaseManager;
  commands: CommandQueue;
  /** How often the owner looks for forwarded actions and reloads operator controls. Default 500 ms. */
  commandPollMs?: number;
  /** How long a forwarded action may take before the request gives up. Default 20 s. */
  forwardTimeoutMs?: number;
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

/** Phases in which a shard may change hands between replicas without interrupting a rollback. */
const QUIET_PHASES: ReadonlySet<TargetState['phase']> = new Set(['idle', 'stable', 'rolled-back', 'rollback-failed', 'held', 'guarding']);

export class Watchdog {
  readonly #deps: WatchdogDeps;
  readonly #targets = new Map<string, ResolvedTarget>();
  /** Only the targets this process guards now. */
  readonly #runners = new Map<string, TargetRunner>();
  readonly #groupOf = new Map<string, GroupSpec>();
  readonly #groups: GroupCoordinator;
  readonly #shards: Map<string, string[]>;
  readonly #leases: LeaseManager | undefined;
  readonly #stopping = new AbortController();
  #controls: Record<string, Controls>;
  #task: ScheduledTask | undefined;
  #polling: Promise<void> | undefined;
  #started = false;
  #commandLoop: Promise<void> | undefined;
  /** Live feed of decisions and phase changes for GET /api/v1/events (in memory, bounded). */
  readonly events = new EventBus();
  /** Recent probe results and error-rate points per target, for the status page's chart. */
  readonly series = new MeasurementSeries();

  private constructor(deps: WatchdogDeps, controls: Record<string, Controls>) {
    this.#deps = deps;
    this.#controls = controls;
    for (const target of deps.targets) this.#targets.set(target.name, target);
    for (const group of deps.groups ?? []) for (const member of group.targets) this.#groupOf.set(member, group);
    this.#shards = Watchdog.shardsOf(deps.targets, deps.groups ?? []);
    this.#groups = new GroupCoordinator({
      store: deps.store,
      clock: deps.clock,
      logger: deps.logger,
      runner: (name) => this.runner(name),
      onJournal: (entry) => this.#publishDecision(entry),
    });
    this.#leases = deps.replication?.leases(
      {
        isQuiet: (shard) => (this.#shards.get(shard) ?? []).every((t) => QUIET_PHASES.has(this.#runners.get(t)?.state.phase ?? 'idle')),
        onAcquired: (shard, fence) => this.#adopt(shard, fence),
        onLost: (shard, reason) => this.#drop(shard, reason),
      },
      [...this.#shards.keys()],
    );
  }

  /**
   * The unit of ownership: a rollback group's members go together (their coordinator needs all of
   * them), every other target alone. Keys: the target's name, or `group:<name>`.
   */
  static shardsOf(targets: readonly ResolvedTarget[], groups: readonly GroupSpec[]): Map<string, string[]> {
    const shards = new Map<string, string[]>();
    const grouped = new Map<string, string>();
    for (const group of groups) for (const member of group.targets) grouped.set(member, `group:${group.name}`);
    for (const target of targets) {
      const shard = grouped.get(target.name) ?? target.name;
      shards.set(shard, [...(shards.get(shard) ?? []), target.name]);
    }
    return shards;
  }

  /** Opens the watchdog. Alone, every target's runner is opened (and resumes) right here. */
  static async open(deps: WatchdogDeps): Promise<Watchdog> {
    const watchdog = new Watchdog(deps, await deps.store.loadControls());
    if (!watchdog.#leases) for (const shard of watchdog.#shards.keys()) await watchdog.#adopt(shard);
    return watchdog;
  }

  /** Opens (and, once started, starts) the runners of a shard; with a fence, their writes are fenced. */
  async #adopt(shard: string, fence?: LeaseFence): Promise<void> {
    const deps = this.#deps;
    if (this.#stopping.signal.aborted) throw new Error('stopping');
    const members = this.#shards.get(shard) ?? [];
    const opened: TargetRunner[] = [];
    for (const name of members) {
      const target = this.#targets.get(name) as ResolvedTarget;
      const index = deps.targets.indexOf(target);
      const group = this.#groupOf.get(name);
      // Events feed: the phase last published for this target (set from the loaded state below).
      let lastPhase: TargetState['phase'] | undefined;
      const runner = await TargetRunner.open({
        ...deps,
        ...deps.signals(target),
        target,
        policy: () => this.policyFor(target),
        ...(group && { group: group.name }),
        ...(fence && this.#leases && { lease: () => this.#leases?.fenceFor(shard) }),
        onJournal: (entry) => this.#publishDecision(entry),
        // Spread the targets' probe rounds evenly over one interval.
        startOffsetMs: staggerOffset(index, deps.targets.length, target.guard.probeInterval),
        onProbe: (point) => {
          this.series.addProbe(name, point);
          this.events.publish('measurement', name, point.at, { kind: 'probe', ...point });
        },
        onRate: (point) => {
          this.series.addRate(name, point);
          this.events.publish('measurement', name, point.at, { kind: 'error-rate', ...point });
        },
        afterTransition: (t) => {
          deps.afterTransition?.(t);
          const asked = t.journal.find((j) => j.kind === 'group-rollback-requested');
          if (group && asked && t.state.plan) this.#groups.coordinate(group, name, t.state.plan.from);
          // Events feed: each journal line as a `decision`, then a `state` summary if the phase changed.
          this.#publish(target, t, lastPhase);
          lastPhase = t.state.phase;
        },
      });
      lastPhase = runner.state.phase;
      opened.push(runner);
    }
    // Opening awaited the store: the lease may have been lost (fenced, released) meanwhile, and
    // `#drop` found no runner to stop then. Registering these now would leave a runner guarding a
    // shard this replica does not hold, and a second one beside it once the shard came back.
    if (fence && this.#leases && !this.#leases.holds(shard, fence.epoch)) {
      for (const runner of opened) runner.fence('lease lost while opening');
      return;
    }
    for (const runner of opened) this.#runners.set(runner.target.name, runner);
    deps.metrics.setGuardedTargets?.(this.#runners.size);
    if (fence) {
      deps.metrics.incLeaseChange?.('acquired');
      deps.logger.info({ shard, epoch: fence.epoch, targets: members }, 'now guarding (lease acquired)');
      const at = deps.clock.now();
      for (const name of members) {
        const entry = { target: name, at, kind: 'lease-acquired', message: `guarded by replica ${fence.owner} (lease epoch ${fence.epoch})`, data: { replica: fence.owner, epoch: fence.epoch } };
        await deps.store.appendJournal(entry);
        this.#publishDecision(entry);
      }
    }
    if (this.#started) {
      this.#begin(opened);
      void Promise.all(opened.map((r) => r.pollReleases()));
    }
  }

  /** Starts runners' loops, and restarts a group rollback that a restart or a takeover interrupted. */
  #begin(runners: readonly TargetRunner[]): void {
    for (const runner of runners) runner.start();
    // Members already rolled back are planned again only if they are still on the shipped release.
    for (const runner of runners) {
      const group = this.#groupOf.get(runner.target.name);
      const s = runner.state;
      if (group && s.phase === 'held' && s.hold?.kind === 'group' && s.plan) this.#groups.coordinate(group, runner.target.name, s.plan.from);
    }
  }

  /** Stops a shard's runners at once (fencing: no waiting on anything that may hang). */
  #drop(shard: string, reason: LossReason): void {
    for (const name of this.#shards.get(shard) ?? []) {
      const runner = this.#runners.get(name);
      if (!runner) continue;
      this.#runners.delete(name);
      this.series.drop(name);
      runner.fence(`lease ${reason}`);
    }
    this.#deps.metrics.setGuardedTargets?.(this.#runners.size);
    this.#deps.metrics.incLeaseChange?.(reason);
    const log = reason === 'fenced' || reason === 'expired' ? 'warn' : 'info';
    this.#deps.logger[log]({ shard, reason }, 'no longer guarding (lease given up)');
  }

  /** One journal line as a `decision` event. */
  #publishDecision(j: JournalEntry): void {
    this.events.publish('decision', j.target, j.at, {
      kind: j.kind,
      message: j.message,
      ...(j.data && { data: j.data }),
      ...(j.incidentId && { incidentId: j.incidentId }),
    });
  }

  /** Publishes one durable transition to the events feed; never throws into the guard. */
  #publish(target: ResolvedTarget, t: Transition, lastPhase: TargetState['phase'] | undefined): void {
    try {
      for (const j of t.journal) this.#publishDecision(j);
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

  /**
   * Changes pause or mode for one target or (scope `*`) all of them; persisted before it applies.
   * Other replicas pick it up from the store within one command poll.
   */
  async setControls(scope: string, patch: Controls): Promise<Controls> {
    if (scope !== GLOBAL) this.target(scope);
    const next = { ...this.#controls[scope], ...patch, at: this.#deps.clock.now() };
    await this.#deps.store.saveControls(scope, next, this.#deps.clock.now());
    this.#controls = { ...this.#controls, [scope]: next };
    this.#deps.logger.warn({ scope, controls: next }, 'operator controls changed');
    return next;
  }

  /** Starts every runner, the leases (with replicas), polls once right away, then on the cron schedule. */
  async start(): Promise<void> {
    this.#started = true;
    this.#begin([...this.#runners.values()]);
    this.#leases?.start();
    if (this.#deps.replication) this.#commandLoop = this.#serveCommands(this.#deps.replication);
    this.#task = cron.schedule(this.#deps.pollSchedule, () => this.pollAll(), { name: 'poll-releases', noOverlap: true });
    await this.pollAll();
  }

  /** Polls every target this process guards; a poll already running is joined rather than doubled. */
  pollAll(): Promise<void> {
    this.#polling ??= Promise.all([...this.#runners.values()].map((r) => r.pollReleases()))
      .then(() => undefined)
      .finally(() => {
        this.#polling = undefined;
      });
    return this.#polling;
  }

  /** A deploy was announced (e.g. by CI): look now instead of at the next poll, wherever it is guarded. */
  async pollTarget(name: string): Promise<void> {
    const target = this.target(name);
    const runner = this.#runners.get(target.name);
    if (runner) return runner.pollReleases({ fresh: true });
    // Another replica guards it: ask it to look, without waiting (its next poll would find it anyway).
    await this.#deps.replication?.commands.submit(target.name, 'poll', {}, 'deploy-notice');
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
    const runner = this.#runners.get(this.target(name).name);
    if (!runner) throw new WD_ERR_TARGET_UNKNOWN(name);
    return runner;
  }

  /** True when this process guards the target now. */
  guards(name: string): boolean {
    return this.#runners.has(name);
  }

  /** Targets this process guards now. */
  guarded(): string[] {
    return [...this.#runners.keys()];
  }

  /** The target's state: live if guarded here, else as the guarding replica last stored it. */
  async stateOf(name: string): Promise<TargetState> {
    const target = this.target(name);
    const runner = this.#runners.get(target.name);
    if (runner) return runner.state;
    return (await this.#deps.store.loadState(target.name)) ?? initialState(target.name, 0);
  }

  async summary(name: string): Promise<TargetSummary> {
    const target = this.target(name);
    return summarize(target, await this.stateOf(target.name), this.policyFor(target));
  }

  /**
   * Ready once the release list of every target guarded here has been read, and (with replicas)
   * once the leases have had their first full round.
   */
  get ready(): boolean {
    if (this.#leases && !this.#leases.settled) return false;
    return [...this.#runners.values()].every((r) => r.hasPolled);
  }

  /** A target's releases with verdicts, newest first. */
  releases(name: string, limit?: number): Promise<ReleaseRecord[]> {
    return this.#deps.store.listReleases(this.target(name).name, limit);
  }

  /** Every target in config order: guarded ones live, the others from the store. */
  async summaries(): Promise<TargetSummary[]> {
    const elsewhere = this.#runners.size < this.#targets.size ? await this.#deps.store.loadStates() : [];
    const stored = new Map(elsewhere.map((s) => [s.target, s]));
    return this.#deps.targets.map((t) => summarize(t, this.#runners.get(t.name)?.state ?? stored.get(t.name) ?? initialState(t.name, 0), this.policyFor(t)));
  }

  /**
   * An operator's decision on a target. Guarded here: applied by its runner. Guarded by another
   * replica: queued in the store and carried out by that replica's runner; resolves with the state
   * after it (or rejects with the error it gave, or WD_ERR_FORWARD_TIMEOUT).
   */
  async act(name: string, command: TargetCommand): Promise<TargetState> {
    const target = this.target(name);
    const runner = this.#runners.get(target.name);
    if (runner) return runCommand(runner, command);
    const replication = this.#deps.replication;
    if (!replication) throw new WD_ERR_TARGET_UNKNOWN(name);
    const { clock } = this.#deps;
    const id = await replication.commands.submit(target.name, command.kind, commandParams(command), command.by);
    const deadline = clock.now() + (replication.forwardTimeoutMs ?? 20_000);
    for (;;) {
      const outcome = await replication.commands.outcome(id);
      if (outcome.status === 'done') return outcome.result.state as TargetState;
      if (outcome.status === 'failed') throw Object.assign(new Error(outcome.error.message), outcome.error);
      if (clock.now() >= deadline) {
        // Withdraw it if nobody took it yet, so it cannot surprise anyone later.
        await replication.commands.cancel(id).catch(() => false);
        throw new WD_ERR_FORWARD_TIMEOUT(target.name, command.kind, target.name);
      }
      await clock.sleep(100);
    }
  }

  /** The owner's side of forwarded actions: claim, run, record the outcome; and reload controls. */
  async #serveCommands(replication: Replication): Promise<void> {
    const { clock, logger, store } = this.#deps;
    const signal = this.#stopping.signal;
    const replica = this.#leases?.replicaId ?? 'solo';
    const tail = new JournalTail({
      store,
      guardedHere: (target) => this.#runners.has(target),
      publishDecision: (j) => this.#publishDecision(j),
      publishState: (state) => {
        const target = this.#targets.get(state.target);
        if (target) this.events.publish('state', target.name, state.since, { ...summarize(target, state, this.policyFor(target)) });
      },
    });
    while (!signal.aborted) {
      try {
        await clock.sleep(replication.commandPollMs ?? 500, signal);
      } catch {
        return;
      }
      try {
        this.#controls = await store.loadControls();
        for (const command of await replication.commands.claim(replica, this.guarded(), 20)) {
          const runner = this.#runners.get(command.target);
          try {
            if (!runner) throw new WD_ERR_NOT_OWNED(command.target);
            const state = await runCommand(runner, { ...(command.params as object), kind: command.kind, by: command.requestedBy } as TargetCommand);
            await replication.commands.complete(command.id, replica, { status: 'done', result: { state } });
          } catch (err) {
            const e = err as { code?: string; message?: string; statusCode?: number };
            const error = { code: e.code ?? 'WD_ERR_INTERNAL', message: e.code ? String(e.message) : 'internal error', statusCode: e.statusCode ?? 500 };
            await replication.commands.complete(command.id, replica, { status: 'failed', error });
          }
        }
        // Keeps this replica's events feed complete for targets other replicas guard.
        await tail.poll();
      } catch (err) {
        logger.warn({ err }, 'forwarded actions: poll failed; retrying');
      }
    }
  }

  async stop(graceMs: number): Promise<void> {
    this.#stopping.abort(new Error('stopping'));
    // No new shards from here on; the leases held are given back once their runners have stopped.
    await this.#leases?.halt();
    await this.#task?.stop();
    await this.#task?.destroy();
    await Promise.race([this.#groups.drain(), this.#deps.clock.sleep(graceMs)]);
    await this.#commandLoop;
    await Promise.all([...this.#runners.values()].map((r) => r.stop(graceMs)));
    await this.#polling;
    // Leases last: the runners have stopped, so another replica may take over right away.
    await this.#leases?.releaseAll();
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

/**
 * Where in the probe interval target `index` of `count` starts its rounds: spread evenly over the
 * interval, but in slots of up to TARGETS_PER_SLOT targets that start together and so share one
 * event-loop wakeup. A wakeup has a fixed cost (timers, epoll, microtasks) that outweighs a small
 * probe round: on the 2-core CI machine, 60 fresh-connection requests a second cost 8.7% of a core
 * one at a time and 3.4% in bursts of 15; the whole daemon at 100 targets went from 8.0% with
 * 5 targets per slot to 4.9% with 20 (together with prom-client's event-loop timer slowed, see
 * metrics/prom.ts). The cap keeps a slot's burst of requests bounded as the fleet grows
 * (1,000 targets: 50 slots, 100 ms apart).
 */
export const TARGETS_PER_SLOT = 20;
/** Slots never come closer than this, however many targets there are. */
export const MIN_SLOT_MS = 50;
export function staggerOffset(index: number, count: number, intervalMs: number): number {
  const slots = Math.max(1, Math.min(Math.floor(intervalMs / MIN_SLOT_MS), Math.ceil(count / TARGETS_PER_SLOT)));
  return Math.floor((index * slots) / count) * Math.floor(intervalMs / slots);
}
