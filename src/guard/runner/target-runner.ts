/**
 * One target's guard, as I/O around the pure `step`: events come in (release lists, probe rounds,
 * deploy results, ticks, operator commands) one at a time through a serial queue; each step's
 * transition is written to the store, and only then are its decisions reported and its effects
 * performed. The parts live beside this file: the release poller, the round scheduler, the
 * transition writer, the rollback deployer and the effects.
 */
import type { ResolvedTarget } from '../../config/resolve.ts';
import type { Probe } from '../../config/schema.ts';
import type { LeaseFence } from '../../domain/lease.ts';
import type { Measurement } from '../../domain/measurement.ts';
import type { NotifyEvent } from '../../domain/notification.ts';
import type { RollbackPolicy } from '../../domain/policy.ts';
import { initialState, type ReleaseRef, type TargetState } from '../../domain/target-state.ts';
import type { Clock } from '../../infra/clock.ts';
import { WD_ERR_LEASE_LOST } from '../../infra/errors.ts';
import type { Logger } from '../../infra/log.ts';
import type { Readiness } from '../../infra/readiness.ts';
import type { SecretRegistry } from '../../infra/secrets.ts';
import type { TargetLabels, WatchdogMetrics } from '../../metrics/recorder.ts';
import type { Platform } from '../../platform/types.ts';
import type { CounterSource, LatencySource } from '../../signals/types.ts';
import type { ReleaseRecord, Store, Transition } from '../../store/types.ts';
import { commandEvent, type CommandOutcome, type TargetCommand } from '../commands.ts';
import type { ProbePoint, RatePoint } from '../series.ts';
import { isNoop, type GuardEvent, type StepResult } from '../step/context.ts';
import { migrationCrossing } from '../step/migrations.ts';
import { step } from '../step/step.ts';
import { Effects } from './effects.ts';
import { ReleasePoller, RELIST_AFTER_MS } from './release-poller.ts';
import { RollbackDeployer } from './rollback-deployer.ts';
import { RoundScheduler } from './round-scheduler.ts';
import { upgradeSavedState } from './saved-state.ts';
import { SerialQueue } from './serial-queue.ts';
import { errorMessage } from './side-tasks.ts';
import { TransitionWriter } from './transition-writer.ts';

export { PROGRESS_WRITE_INTERVAL_MS } from './transition-writer.ts';
export { RELIST_AFTER_MS } from './release-poller.ts';

export interface RunnerDeps {
  target: ResolvedTarget;
  platform: Platform;
  store: Store;
  /** Runs one probe of any type; never throws (providers return a phase). */
  runProbe: (probe: Probe, signal: AbortSignal) => Promise<Measurement>;
  /** Request/error counters for the error-rate judgment (when the target has `errorRate`). */
  counterSource?: CounterSource;
  latencySource?: LatencySource;
  /** The watchdog's own network self-check, run when a probe errors. */
  checkConnectivity?: (signal: AbortSignal) => Promise<Measurement>;
  clock: Clock;
  logger: Logger;
  metrics: WatchdogMetrics;
  /** The target's rails as they stand now (config plus operator controls). */
  policy: () => RollbackPolicy;
  /** The rollback group the target belongs to, if any. */
  group?: string;
  /** Hands this target's group rollback to the group's coordinator; returns at once. */
  coordinateGroup?: (group: string, from: ReleaseRef) => void;
  /** Impact longer than this marks an incident postmortemRequired. */
  postmortemAfterMs: number;
  /** Tells people (Slack, webhooks, PagerDuty); must return at once and never throw. */
  notify?: (event: NotifyEvent) => void;
  /** Masks secrets in output of commands the runner starts itself (migration markers). */
  secrets?: SecretRegistry;
  /** Called after each transition is durable, before its effects run (failpoints for crash tests). */
  afterTransition?: (transition: Transition) => void;
  /** Each probe result and each fresh error-rate judgment, for the status page's chart (never throws). */
  onProbe?: (point: ProbePoint) => void;
  onRate?: (point: RatePoint) => void;
  /**
   * Delay before the first loop iteration beyond one interval, so many targets started together
   * spread their probe rounds over the interval instead of firing at once. Default 0.
   */
  startOffsetMs?: number;
  /**
   * With several replicas: the lease this runner acts under, or undefined once it can no longer be
   * trusted. Every transition is written with it (the store refuses a stale one), and none is
   * written without it.
   */
  lease?: () => LeaseFence | undefined;
  /** Where the runner says it cannot take events in or read releases (and that it can again). */
  readiness?: Readiness;
  /**
   * With a platform that fingerprints releases: how long an unchanged fingerprint may stand in
   * for listing releases (see release-listing.ts). Default RELIST_AFTER_MS.
   */
  relistAfterMs?: number;
}

/** Events from operators, which may name a release far back, and how far back they look. */
const OPERATOR_EVENTS: ReadonlySet<GuardEvent['type']> = new Set(['manual-rollback', 'mark']);
const OPERATOR_LOOKUP = 1000;

export class TargetRunner {
  readonly target: ResolvedTarget;
  readonly #deps: RunnerDeps;
  readonly #log: Logger;
  readonly #labels: TargetLabels;
  readonly #stop = new AbortController();
  /** Aborted only by fencing: kills a rollback deploy this replica may no longer be running. */
  readonly #fence = new AbortController();
  readonly #queue = new SerialQueue();
  readonly #writer: TransitionWriter;
  readonly #deployer: RollbackDeployer;
  readonly #effects: Effects;
  readonly #poller: ReleasePoller;
  readonly #rounds: RoundScheduler;
  #state: TargetState;
  #loop: Promise<void> | undefined;
  /**
   * The target's stored releases as `step` last saw them, re-read only after something wrote to
   * them (a listing, a verdict or origin, a migration marker): reading them for every probe round,
   * counter read and tick was the guard loop's largest store cost.
   */
  #history: ReleaseRecord[] | undefined;

  private constructor(deps: RunnerDeps, state: TargetState) {
    this.#deps = deps;
    this.target = deps.target;
    this.#state = state;
    this.#labels = { target: deps.target.name, environment: deps.target.environment };
    this.#log = deps.logger.child({ target: deps.target.name, app: deps.target.app, environment: deps.target.environment });
    const common = { ...deps, target: this.target, logger: this.#log, labels: this.#labels };
    this.#writer = new TransitionWriter({ ...common, fenced: this.#fence.signal });
    this.#deployer = new RollbackDeployer({
      ...common,
      fenced: this.#fence.signal,
      beforeResult: () => this.pollReleases({ fresh: true }),
      finished: async (event) => void (await this.#dispatch(() => event)),
    });
    this.#effects = new Effects({
      ...common,
      deployer: this.#deployer,
      stopped: this.#stop.signal,
      proceed: () => void this.#dispatch(() => ({ type: 'proceed' })),
      releasesChanged: () => (this.#history = undefined),
    });
    // Targets all list at startup; spread their relists over the last half of relistAfter (by
    // their place in the probe schedule) so they do not all start flyctl in the same poll again.
    const place = Math.min(1, (deps.startOffsetMs ?? 0) / deps.target.guard.probeInterval);
    this.#poller = new ReleasePoller({
      ...common,
      stopped: this.#stop.signal,
      state: () => this.#state,
      dispatch: async (makeEvent) => (await this.#dispatch(makeEvent)) !== undefined,
      relistAfterMs: Math.round((deps.relistAfterMs ?? RELIST_AFTER_MS) * (1 - place / 2)),
    });
    this.#rounds = new RoundScheduler({ ...common, state: () => this.#state, dispatch: (makeEvent) => this.#dispatch(makeEvent), startOffsetMs: deps.startOffsetMs ?? 0 });
  }

  /** Loads the target's persisted state (or starts fresh) and resumes whatever was in progress. */
  static async open(deps: RunnerDeps): Promise<TargetRunner> {
    const saved = await deps.store.loadState(deps.target.name);
    const state = saved ? await upgradeSavedState(saved, deps.store) : initialState(deps.target.name, deps.clock.now());
    const runner = new TargetRunner(deps, state);
    if (saved && saved.phase !== 'idle') {
      runner.#log.info({ phase: saved.phase, since: new Date(saved.since).toISOString() }, 'resuming saved guard state');
    }
    deps.metrics.setPhase(runner.#labels, runner.#state.phase);
    return runner;
  }

  get state(): TargetState {
    return this.#state;
  }

  /** True once a release list has been read (and taken in) at least once. */
  get hasPolled(): boolean {
    return this.#poller.listedOnce;
  }

  /** Starts the probe/tick loop. Release polling is driven from outside (cron or the admin API). */
  start(): void {
    this.#loop ??= this.#rounds.run(this.#stop.signal).catch((err: unknown) => this.#log.error({ err }, 'guard loop crashed'));
  }

  /** Reads the releases and feeds them to the guard; `fresh` lists even when the machines show no change. */
  pollReleases(options: { fresh?: boolean } = {}): Promise<void> {
    return this.#poller.poll(options);
  }

  /**
   * An operator's command: applied, or refused with the guard's reason. Rejects only when the
   * step could not be taken in (the store failed, the lease was lost).
   */
  async command(command: TargetCommand): Promise<CommandOutcome> {
    if (command.kind === 'poll') {
      await this.pollReleases({ fresh: true });
      return { applied: true, state: this.#state, decisions: [] };
    }
    return this.apply(commandEvent(command));
  }

  /** Steps one event from outside (an operator, the group coordinator) and says how it ended. */
  async apply(event: GuardEvent): Promise<CommandOutcome> {
    const r = await this.#queue.run(() => this.#step(event));
    return r.refusal ? { applied: false, state: this.#state, refusal: r.refusal } : { applied: true, state: this.#state, decisions: r.decisions };
  }

  /**
   * Stops the loop and polling. A rollback deploy in flight is given `graceMs` to finish; if it
   * does not, it stays recorded as issued and the next start recovers it from the release list.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stop.abort(new Error('watchdog stopping'));
    if (this.#deployer.inFlight) {
      this.#log.info({ graceMs }, 'waiting for the in-flight rollback deploy before stopping');
      if (!(await this.#deployer.settle(graceMs))) this.#log.warn('rollback deploy still running at shutdown; recorded as in flight for the next start');
    }
    await this.#loop;
    await this.#queue.idle();
    await this.#writer.flush(this.#deps.clock.now());
  }

  /**
   * Fencing: this replica lost (or can no longer prove) its lease. Stops at once without waiting on
   * anything that may hang: the loop ends, a rollback deploy in flight is killed (the new owner
   * finds it in the release list, running or not, and carries on from the stored state), and no
   * further transition is written.
   */
  fence(reason: string): void {
    if (this.#fence.signal.aborted) return;
    this.#log.warn({ reason, deployInFlight: this.#deployer.inFlight }, 'fenced: no longer acting on this target');
    this.#fence.abort(new Error(reason));
    this.#stop.abort(new Error(reason));
  }

  /**
   * Queues one internal event; resolves with its result once taken in, or undefined if that failed
   * (logged, and the daemon reports itself not ready until a step succeeds again).
   */
  #dispatch(makeEvent: () => GuardEvent | Promise<GuardEvent>): Promise<StepResult | undefined> {
    const readiness = this.#deps.readiness;
    return this.#queue.run(async () => this.#step(await makeEvent())).then(
      (r) => {
        readiness?.clear('guard-steps-failing', this.target.name);
        return r;
      },
      (err: unknown) => {
        // A lease lost is the replica handing over, not a fault: the new owner carries on.
        if ((err as { code?: string }).code === 'WD_ERR_LEASE_LOST') {
          this.#log.warn({ err: { code: 'WD_ERR_LEASE_LOST' } }, 'guard step not written: the lease is gone');
          return undefined;
        }
        this.#log.error({ err }, 'guard step failed; state unchanged');
        readiness?.fail('guard-steps-failing', this.target.name, errorMessage(err));
        return undefined;
      },
    );
  }

  /** Steps, writes the transition, then reports and acts. Only ever runs inside the queue. */
  async #step(event: GuardEvent): Promise<StepResult> {
    const { store, clock } = this.#deps;
    const now = clock.now();
    if (event.type === 'releases') this.#history = undefined; // just synced
    // An operator may name any release the store knows, not only the recent ones the guard uses.
    const history = OPERATOR_EVENTS.has(event.type)
      ? await store.listReleases(this.target.name, OPERATOR_LOOKUP)
      : (this.#history ??= await store.listReleases(this.target.name));
    const before = this.#state;
    const r = step(before, event, {
      target: this.target,
      now,
      history,
      deployInFlight: this.#deployer.inFlight,
      policy: this.#deps.policy(),
      postmortemAfterMs: this.#deps.postmortemAfterMs,
      ...(this.#deps.group && { group: this.#deps.group }),
      ...(this.target.migrations && { migrationCrossing: (from: ReleaseRef, to: ReleaseRef) => migrationCrossing(history, from, to) }),
    });
    if (isNoop(before, r)) return r;
    const outcome = await this.#writer.write(before, r.state, r, now);
    if (!outcome.written) {
      this.#state = r.state;
      return r;
    }
    if (outcome.transition.verdicts.length > 0 || outcome.transition.origins.length > 0) this.#history = undefined;
    // Fenced while the write was in flight: it was valid when it committed, but act on nothing now.
    if (this.#fence.signal.aborted) throw new WD_ERR_LEASE_LOST(this.target.name, 0);
    this.#deps.afterTransition?.(outcome.transition);
    this.#state = r.state;
    if (before.phase !== r.state.phase) this.#deps.metrics.setPhase(this.#labels, r.state.phase);
    this.#effects.report(r.decisions, before, r.state, now);
    for (const effect of r.effects) this.#effects.perform(effect);
    return r;
  }
}
