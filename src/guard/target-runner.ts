/**
 * One target's guard, as I/O around the pure `step`: it feeds events in (release lists, probe
 * rounds, deploy results, ticks), writes each resulting transition to the store, and only then
 * performs the actions. Events are handled one at a time through a promise queue, so a probe round
 * and a release poll can never interleave their state changes.
 */
import type { Clock } from '../infra/clock.ts';
import type { ResolvedTarget } from '../config/resolve.ts';
import type { Probe } from '../config/schema.ts';
import type { Logger } from '../infra/log.ts';
import type { TargetLabels, WatchdogMetrics } from '../metrics/recorder.ts';
import type { Platform } from '../platform/types.ts';
import type { CounterSource, LatencySource } from '../signals/types.ts';
import type { Measurement } from '../domain/measurement.ts';
import { CONNECTIVITY_CHECK, gateOnConnectivity } from '../signals/connectivity.ts';
import type { JournalEntry } from '../domain/journal.ts';
import type { ReleaseRecord, Store, Transition } from '../store/types.ts';
import type { RollbackPolicy } from '../domain/policy.ts';
import { initialState, type ErrorRateSnapshot, type ReleaseRef, type ReleaseView, type TargetState } from '../domain/target-state.ts';
import { step, type GuardAction, type GuardEvent } from './step.ts';
import type { NotifyEvent } from '../domain/notification.ts';
import { notifyEventFor, postmortemEvent } from './notify-events.ts';
import { migrationCrossing } from './migrations.ts';
import { countDecision } from './decision-metrics.ts';
import { attachFlyLogs, errorMessage, machinesOnImage, recordMigrationMarker } from './side-tasks.ts';
import { toTransition } from './transition.ts';
import { SecretRegistry } from '../infra/secrets.ts';
import type { ProbePoint, RatePoint } from './series.ts';
import type { LeaseFence } from '../domain/lease.ts';
import { WD_ERR_LEASE_LOST } from '../infra/errors.ts';
import { isSettled, mustListReleases, type ReleaseListing } from './release-listing.ts';

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
  /** Impact longer than this marks an incident postmortemRequired. */
  postmortemAfterMs: number;
  /** Tells people (Slack, webhooks, PagerDuty); must return at once and never throw. */
  notify?: (event: NotifyEvent) => void;
  /** Masks secrets in output of commands the runner starts itself (migration markers). */
  secrets?: SecretRegistry;
  /** Called after each transition is durable, before its actions run (failpoints for crash tests). */
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
  /** A journal line written outside a transition (a hand mark), for the events feed. */
  onJournal?: (entry: JournalEntry) => void;
  /**
   * With a platform that fingerprints releases: how long an unchanged fingerprint may stand in
   * for listing releases (see release-listing.ts). Default RELIST_AFTER_MS.
   */
  relistAfterMs?: number;
}

export const RELIST_AFTER_MS = 10 * 60_000;

/** Phases in which counters and latency are read: a baseline while stable, the judgment while guarding. */
const READING_PHASES: ReadonlySet<string> = new Set(['idle', 'stable', 'rolled-back', 'guarding']);

/**
 * A step that decides nothing (Transition.progressOnly: a probe round's tallies, the error-rate
 * counters) is written at most this often per target; the in-memory state is always current, and
 * any decision writes the whole state at once. A crash loses at most this much of a guard's
 * evidence (a few rounds, gathered again), never a decision. At 1,000 targets at a 5 s interval
 * this turns 400 writes a second into about 35: on a shared PostgreSQL that matters most.
 */
export const PROGRESS_WRITE_INTERVAL_MS = 30_000;

export class TargetRunner {
  readonly target: ResolvedTarget;
  readonly #deps: RunnerDeps;
  readonly #log: Logger;
  readonly #labels: TargetLabels;
  readonly #stop = new AbortController();
  /** Aborted only by fencing: kills a rollback deploy this replica may no longer be running. */
  readonly #fence = new AbortController();
  #state: TargetState;
  /** When a transition was last written, and whether steps since then changed state unwritten. */
  #lastWriteAt: number | undefined;
  #unwrittenProgress = false;
  #queue: Promise<void> = Promise.resolve();
  #deploy: Promise<void> | undefined;
  #loop: Promise<void> | undefined;
  #lastPollOk = false;
  /** First failed measurement of the release being rolled back (for the fault-to-rollback metric). */
  #faultOnset: number | undefined;
  /** Smoke tests: which guard they belong to (its start time), when each last ran, which are running. */
  #smokeGuard: number | undefined;
  readonly #smokeLastRun = new Map<string, number>();
  readonly #smokeRunning = new Set<string>();
  /**
   * The target's stored releases as `step` last saw them, re-read only after something wrote to
   * them (a poll, a verdict or origin in a transition, an operator's mark, a migration marker):
   * reading them for every probe round, counter read and tick was the guard loop's largest store cost.
   */
  #history: ReleaseRecord[] | undefined;
  /** When the error-rate judgment last reported to the chart (each judgment is reported once). */
  #lastRateAt: number | undefined;
  /** The last successful release listing, against which a fingerprint may skip the next one. */
  #listing: ReleaseListing | undefined;
  readonly #relistAfterMs: number;

  private constructor(deps: RunnerDeps, state: TargetState) {
    this.#deps = deps;
    this.target = deps.target;
    this.#state = state;
    this.#labels = { target: deps.target.name, environment: deps.target.environment };
    this.#log = deps.logger.child({ target: deps.target.name, app: deps.target.app, environment: deps.target.environment });
    // Targets all list at startup; spread their relists over the last half of relistAfter (by
    // their place in the probe schedule) so they do not all start flyctl in the same poll again.
    const relistAfterMs = deps.relistAfterMs ?? RELIST_AFTER_MS;
    const place = Math.min(1, (deps.startOffsetMs ?? 0) / deps.target.guard.probeInterval);
    this.#relistAfterMs = Math.round(relistAfterMs * (1 - place / 2));
  }

  /** Loads the target's persisted state (or starts fresh) and resumes whatever was in progress. */
  static async open(deps: RunnerDeps): Promise<TargetRunner> {
    const saved = await deps.store.loadState(deps.target.name);
    // States saved before autoRollbacks existed lack it; default rather than fail to resume.
    const state = saved ? { ...saved, autoRollbacks: saved.autoRollbacks ?? [] } : initialState(deps.target.name, deps.clock.now());
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

  /** True once a release list has been read successfully at least once. */
  get hasPolled(): boolean {
    return this.#lastPollOk;
  }

  /** Starts the probe/tick loop. Release polling is driven from outside (cron or the admin API). */
  start(): void {
    this.#loop ??= this.#runLoop().catch((err) => this.#log.error({ err }, 'guard loop crashed'));
  }

  /**
   * Reads the platform's release list and feeds it to the guard. Any platform failure (flyctl
   * exit 1, hang, output that does not parse) is logged and counted, and leads to no action.
   * A scheduled poll first asks for the platform's release fingerprint and stops there when it
   * shows nothing new (release-listing.ts); `fresh` (a deploy was announced, or this runner just
   * deployed) always lists.
   */
  async pollReleases(options: { fresh?: boolean } = {}): Promise<void> {
    if (this.#stop.signal.aborted) return;
    const { platform, store, clock } = this.#deps;
    // A fresh poll does not wait for the machines: it lists at once, and records no fingerprint,
    // so the next scheduled poll lists once more and takes one.
    const fingerprint = options.fresh ? undefined : await this.#releaseFingerprint();
    if (this.#stop.signal.aborted) return;
    if (!options.fresh && !mustListReleases({ last: this.#listing, fingerprint, phase: this.#state.phase, now: clock.now(), relistAfterMs: this.#relistAfterMs })) {
      this.#deps.metrics.incReleasePoll?.('unchanged');
      return;
    }
    let releases;
    try {
      releases = await platform.listReleases(this.target.app, this.#stop.signal);
    } catch (err) {
      // Killed by our own shutdown: not a platform fault, nothing to report.
      if (this.#stop.signal.aborted) return;
      this.#deps.metrics.incPlatformError('releases');
      this.#log.error({ err: { code: (err as { code?: string }).code, message: errorMessage(err) } }, 'could not list releases; no action taken');
      return;
    }
    this.#deps.metrics.incReleasePoll?.('listed');
    const listing: ReleaseListing = { fingerprint, listedAt: clock.now(), settled: isSettled(releases) };
    await store.syncReleases(this.target.name, releases, clock.now());
    this.#history = undefined;
    this.#lastPollOk = true;
    const handled = await this.#dispatch(async () => {
      const stored = await store.listReleases(this.target.name, releases.length + 50);
      const byVersion = new Map(stored.map((r) => [r.version, r]));
      const views: ReleaseView[] = releases.map((r) => {
        const s = byVersion.get(r.version);
        return {
          ...r,
          verdict: s?.verdict ?? 'pending',
          origin: s?.origin ?? 'deploy',
          ...(s?.verdictReason && { verdictReason: s.verdictReason }),
          ...(s?.migrationMarker !== undefined && { migrationMarker: s.migrationMarker }),
        };
      });
      return { type: 'releases', releases: views };
    });
    // Only a listing the guard took in may stand in for later ones: if its step failed (the
    // store, a lease lost for a moment), the next poll lists again instead of trusting the machines.
    if (handled) this.#listing = listing;
  }

  /** The platform's release fingerprint, or undefined when it has none or could not read it (then the poll lists). */
  async #releaseFingerprint(): Promise<string | undefined> {
    const { platform } = this.#deps;
    if (!platform.releaseFingerprint) return undefined;
    try {
      return await platform.releaseFingerprint(this.target.app, this.#stop.signal);
    } catch (err) {
      if (this.#stop.signal.aborted) return undefined;
      this.#deps.metrics.incPlatformError('machines');
      this.#log.warn({ err: { code: (err as { code?: string }).code, message: errorMessage(err) } }, 'could not read the machines; listing releases instead');
      return undefined;
    }
  }

  /**
   * Stops the loop and polling. A rollback deploy in flight is given `graceMs` to finish; if it
   * does not, it stays recorded as issued and the next start recovers it from the release list.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stop.abort(new Error('watchdog stopping'));
    if (this.#deploy) {
      this.#log.info({ graceMs }, 'waiting for the in-flight rollback deploy before stopping');
      const finished = await Promise.race([
        this.#deploy.then(() => true),
        this.#deps.clock.sleep(graceMs).then(() => false),
      ]);
      if (!finished) this.#log.warn('rollback deploy still running at shutdown; recorded as in flight for the next start');
    }
    await this.#loop;
    await this.#queue;
    await this.#flushProgress();
  }

  /** Writes the state that steps changed since the last write (at shutdown: a restart resumes it exactly). */
  async #flushProgress(): Promise<void> {
    if (!this.#unwrittenProgress || this.#fence.signal.aborted) return;
    const fence = this.#deps.lease?.();
    if (this.#deps.lease && !fence) return; // the lease is gone: the next owner starts from the last write
    const now = this.#deps.clock.now();
    try {
      await this.#deps.store.saveTransition(toTransition(this.target, this.#state, this.#state, [], now, this.#deps.postmortemAfterMs), now, fence);
      this.#unwrittenProgress = false;
    } catch (err) {
      this.#log.warn({ err }, 'could not write the last probe tallies at shutdown; the next start resumes from the previous write');
    }
  }

  /**
   * Fencing: this replica lost (or can no longer prove) its lease. Stops at once without waiting on
   * anything that may hang: the loop ends, a rollback deploy in flight is killed (the new owner
   * finds it in the release list, running or not, and carries on from the stored state), and no
   * further transition is written.
   */
  fence(reason: string): void {
    if (this.#fence.signal.aborted) return;
    this.#log.warn({ reason, deployInFlight: this.#deploy !== undefined }, 'fenced: no longer acting on this target');
    this.#fence.abort(new Error(reason));
    this.#stop.abort(new Error(reason));
  }

  /**
   * Fixed-rate schedule: iteration k is due at start + offset + k × interval, so a slow round does
   * not push every later one back. A round that overran its slot skips the missed slots instead of
   * running back to back. How late each round starts is the schedule lag (a metric, and the scale
   * benchmark's measure of whether one target delays the others).
   */
  async #runLoop(): Promise<void> {
    const { clock } = this.#deps;
    const signal = this.#stop.signal;
    const interval = this.target.guard.probeInterval;
    let due = clock.now() + interval + (this.#deps.startOffsetMs ?? 0);
    while (!signal.aborted) {
      try {
        await clock.sleep(Math.max(0, due - clock.now()), signal);
      } catch {
        return; // aborted
      }
      const lag = Math.max(0, clock.now() - due);
      this.#deps.metrics.observeScheduleLag?.(lag / 1000);
      await this.#round(signal);
      if (signal.aborted) return;
      due += interval;
      const now = clock.now();
      if (due < now) due += Math.ceil((now - due) / interval) * interval;
    }
  }

  /** One iteration: probes (while guarding or verifying), counters and latency, then a tick. */
  async #round(signal: AbortSignal): Promise<void> {
    const phase = this.#state.phase;
    // The round's readings start together, so their requests go out in one burst and come back
    // in one wakeup (see staggerOffset); they are still stepped in the same order as before.
    const reading = READING_PHASES.has(phase);
    const counters = reading ? this.#deps.counterSource?.read(signal) : undefined;
    const latency = reading ? this.#deps.latencySource?.read(signal) : undefined;
    // A read left behind by an early return (abort) must not surface as an unhandled rejection;
    // awaited below, a failure still reaches the caller as before.
    for (const pending of [counters, latency]) pending?.catch(() => undefined);
    if (phase === 'guarding' || phase === 'verifying') {
      const measurements = await this.#probeRound(signal);
      if (phase === 'verifying' && this.#state.rollback) measurements.push(await this.#checkMachines(this.#state.rollback.to.imageRef, signal));
      if (signal.aborted) return;
      const gated = await this.#gateOnConnectivity(measurements, signal);
      await this.#dispatch(() => ({ type: 'probe-round', measurements: gated }));
      if (phase === 'guarding') this.#startDueSmokeTests(signal);
    }
    if (counters) {
      const readout = await counters;
      if (signal.aborted) return;
      // The release this reading judges, taken before the step: a decisive reading ends the guard
      // (the phase moves on, the guard is cleared), and it is the one reading the chart must show.
      const judged = this.#state.phase === 'guarding' ? this.#state.guard?.release.version : undefined;
      await this.#dispatch(() => ({ type: 'counters', readout }));
      const last = this.#state.errorRate?.last;
      if (judged !== undefined && last) {
        this.#deps.metrics.setErrorRate(this.#labels, last.rate, last.baselineRate, last.threshold);
        this.#reportRate(last, judged);
      }
    }
    if (latency) {
      const readout = await latency;
      if (signal.aborted) return;
      await this.#dispatch(() => ({ type: 'latency', readout }));
    }
    await this.#dispatch(() => ({ type: 'tick' }));
  }

  #reportRate(last: ErrorRateSnapshot, version: number): void {
    if (last.at === this.#lastRateAt) return;
    this.#lastRateAt = last.at;
    // An unreadable source yields a judgment without numbers (NaN): nothing to draw.
    if (![last.rate, last.baselineRate, last.threshold].every(Number.isFinite)) return;
    try {
      this.#deps.onRate?.({
        at: last.at,
        version,
        phase: last.phase,
        rate: last.rate,
        baselineRate: last.baselineRate,
        threshold: last.threshold,
        requests: last.requests,
        errors: last.errors,
      });
    } catch {
      // The chart is a view; it must never stop the guard.
    }
  }

  /**
   * A probe that could not get an answer (refused, timed out) is only evidence against the release
   * if the watchdog itself can reach the network: otherwise it rolls back nothing.
   */
  async #gateOnConnectivity(round: Measurement[], signal: AbortSignal): Promise<Measurement[]> {
    if (!this.#deps.checkConnectivity || !round.some((m) => m.phase === 'error')) return round;
    const connectivity = await this.#deps.checkConnectivity(signal);
    if (connectivity.phase !== 'successful') {
      this.#log.warn({ check: CONNECTIVITY_CHECK, detail: connectivity.detail }, 'watchdog connectivity lost; probe errors do not count against the release');
    }
    return gateOnConnectivity(round, connectivity);
  }

  /**
   * Smoke tests run beside the probe rounds (they can take minutes): each once when a guard starts
   * and then every `interval`, their result fed in as its own round if the same guard still runs.
   */
  #startDueSmokeTests(signal: AbortSignal): void {
    const guard = this.#state.guard;
    if (!guard) return;
    if (this.#smokeGuard !== guard.startedAt) {
      this.#smokeGuard = guard.startedAt;
      this.#smokeLastRun.clear();
    }
    const now = this.#deps.clock.now();
    for (const probe of this.target.probes) {
      if (probe.type !== 'smoke' || this.#smokeRunning.has(probe.name)) continue;
      const last = this.#smokeLastRun.get(probe.name);
      if (last !== undefined && now - last < probe.interval) continue;
      this.#smokeRunning.add(probe.name);
      this.#smokeLastRun.set(probe.name, now);
      void this.#deps
        .runProbe(probe, signal)
        .then(async (m) => {
          this.#deps.metrics.observeMeasurement(this.#labels, m);
          this.#reportProbe(m);
          if (signal.aborted || this.#state.guard?.startedAt !== guard.startedAt) return;
          await this.#dispatch(() => ({ type: 'probe-round', measurements: [m] }));
        })
        .finally(() => this.#smokeRunning.delete(probe.name));
    }
  }

  async #checkMachines(imageRef: string, signal: AbortSignal): Promise<Measurement> {
    const m = await machinesOnImage(this.#deps.platform, this.target.app, imageRef, this.#deps.clock, signal);
    if (m.phase === 'error') this.#deps.metrics.incPlatformError('status');
    return m;
  }

  #reportProbe(m: Measurement): void {
    try {
      this.#deps.onProbe?.({ at: this.#deps.clock.now(), check: m.check, phase: m.phase, ...(m.detail && { detail: m.detail }) });
    } catch {
      // The probe strip is a view; it must never stop the guard.
    }
  }

  async #probeRound(signal: AbortSignal): Promise<Measurement[]> {
    const regular = this.target.probes.filter((p) => p.type !== 'smoke');
    const results = await Promise.all(regular.map((p) => this.#deps.runProbe(p, signal)));
    for (const m of results) {
      this.#deps.metrics.observeMeasurement(this.#labels, m);
      this.#reportProbe(m);
      this.#log.debug({ check: m.check, phase: m.phase, detail: m.detail, durationMs: m.durationMs }, 'probe');
    }
    return results;
  }

  /** Queues one event: build it, step, persist the transition, then act. */
  /** Resolves true once the event was taken in (its step done, any decision it made written), false if that failed. */
  #dispatch(makeEvent: () => GuardEvent | Promise<GuardEvent>): Promise<boolean> {
    const run = async (): Promise<boolean> => {
      const event = await makeEvent();
      const { store, clock } = this.#deps;
      const now = clock.now();
      const history = (this.#history ??= await store.listReleases(this.target.name));
      const before = this.#state;
      const result = step(before, event, {
        target: this.target,
        now,
        history,
        deployInFlight: this.#deploy !== undefined,
        policy: this.#deps.policy(),
        ...(this.#deps.group && { group: this.#deps.group }),
        ...(this.target.migrations && { migrationCrossing: (from: ReleaseRef, to: ReleaseRef) => migrationCrossing(history, from, to) }),
      });
      if (result.state === before && result.actions.length === 0) return true;
      const transition = toTransition(this.target, before, result.state, result.actions, now, this.#deps.postmortemAfterMs);
      if (transition.progressOnly && this.#lastWriteAt !== undefined && now - this.#lastWriteAt < PROGRESS_WRITE_INTERVAL_MS) {
        this.#state = result.state;
        this.#unwrittenProgress = true;
        return true;
      }
      let fence: LeaseFence | undefined;
      if (this.#deps.lease) {
        fence = this.#deps.lease();
        if (!fence || this.#fence.signal.aborted) throw new WD_ERR_LEASE_LOST(this.target.name, 0);
      }
      if (transition.verdicts.length > 0 || transition.origins.length > 0) this.#history = undefined;
      await store.saveTransition(transition, now, fence);
      this.#lastWriteAt = now;
      this.#unwrittenProgress = false;
      // Fenced while the write was in flight: it was valid when it committed, but act on nothing now.
      if (this.#fence.signal.aborted) return false;
      this.#deps.afterTransition?.(transition);
      this.#state = result.state;
      if (before.phase !== result.state.phase) this.#deps.metrics.setPhase(this.#labels, result.state.phase);
      for (const action of result.actions) this.#perform(action, before, now);
      for (const closed of transition.closeIncidents) {
        const incident = await store.getIncident(closed.id);
        if (incident?.postmortemRequired) this.#deps.notify?.(postmortemEvent(incident, now));
      }
      return true;
    };
    const done = this.#queue.then(run).catch((err: unknown) => {
      this.#log.error({ err }, 'guard step failed; state unchanged');
      return false;
    });
    this.#queue = done.then(() => undefined);
    return done;
  }

  /** Side effects after the transition is durable. Store writes were already part of it. */
  #perform(action: GuardAction, before: TargetState, now: number): void {
    switch (action.type) {
      case 'record': {
        this.#log[action.level]({ decision: action.kind, phase: this.#state.phase, ...action.data }, action.message);
        countDecision(action.kind, { metrics: this.#deps.metrics, labels: this.#labels, before, after: this.#state, now, faultOnset: this.#faultOnset });
        if (action.kind === 'rollback-started') this.#faultOnset = undefined;
        const event = notifyEventFor(action.kind, action.data, { target: this.target, before, after: this.#state, now });
        if (event) this.#deps.notify?.(event);
        if (action.kind === 'guard-started' && this.#state.guard && this.target.migrations) {
          const deps = { store: this.#deps.store, secrets: this.#deps.secrets ?? new SecretRegistry(), log: this.#log };
          void recordMigrationMarker(this.target.migrations, deps, this.target.name, this.#state.guard.release.version, this.#stop.signal).finally(() => {
            this.#history = undefined;
          });
        }
        return;
      }
      case 'set-verdict':
      case 'set-origin':
      case 'close-incident':
        return; // written with the transition
      case 'open-incident':
        this.#faultOnset = action.impactStartedAt;
        void attachFlyLogs(this.#deps.platform, this.#deps.store, this.target.app, action.id, this.#deps.clock).then((ok) => {
          if (!ok) this.#deps.metrics.incPlatformError('logs');
        });
        return;
      case 'deploy':
        this.#startDeploy(action.imageRef);
        return;
      case 'proceed':
        void this.#dispatch(() => ({ type: 'proceed' }));
        return;
    }
  }

  /** Operator decisions (admin API). Each resolves with the state after it was applied. */
  async approve(by: string): Promise<TargetState> {
    await this.#dispatch(() => ({ type: 'approve', by }));
    return this.#state;
  }

  async veto(by: string): Promise<TargetState> {
    await this.#dispatch(() => ({ type: 'veto', by }));
    return this.#state;
  }

  async rollbackTo(to: ReleaseRef, by: string): Promise<TargetState> {
    await this.#dispatch(() => ({ type: 'manual-rollback', to, by }));
    return this.#state;
  }

  async abort(by: string): Promise<TargetState> {
    await this.#dispatch(() => ({ type: 'abort', by }));
    return this.#state;
  }

  /**
   * An operator's verdict on a release (through the queue, so it cannot interleave with a step).
   * It changes what later rollbacks may choose; it does not itself start or stop one.
   */
  async markRelease(version: number, verdict: 'good' | 'bad', by: string): Promise<void> {
    const { store, clock } = this.#deps;
    this.#queue = this.#queue.then(async () => {
      const now = clock.now();
      const reason = `marked ${verdict} by ${by}`;
      await store.setVerdict(this.target.name, version, verdict, reason, now);
      this.#history = undefined;
      const entry: JournalEntry = { target: this.target.name, at: now, kind: `marked-${verdict}`, message: `v${version} ${reason}`, data: { version } };
      await store.appendJournal(entry);
      this.#deps.onJournal?.(entry);
      this.#log.warn({ decision: `marked-${verdict}`, version, by }, `v${version} ${reason}`);
    });
    return this.#queue;
  }


  /**
   * Runs the rollback deploy outside the event queue (it can take minutes) and feeds its result
   * back in. Never two at once: `step` only emits a deploy when none is in flight.
   */
  #startDeploy(imageRef: string): void {
    if (this.#fence.signal.aborted) return;
    if (this.#deploy) {
      this.#log.error({ imageRef }, 'refusing a second concurrent rollback deploy');
      return;
    }
    const { platform } = this.#deps;
    const target = this.target;
    this.#log.warn({ imageRef, strategy: target.rollback.strategy }, 'issuing rollback deploy');
    this.#deploy = (async () => {
      let event: GuardEvent;
      try {
        // Not stopped by shutdown: a deploy interrupted half-way is worse than one that finishes
        // after we exit. Only fencing kills it, so two replicas never deploy the same app at once.
        const result = await platform.deployImage(target.app, imageRef, {
          strategy: target.rollback.strategy,
          waitTimeoutMs: target.rollback.waitTimeout,
          signal: this.#fence.signal,
        });
        event = { type: 'deploy-result', ok: true, ...(result.version !== undefined && { version: result.version }) };
      } catch (err) {
        this.#deps.metrics.incPlatformError('deploy');
        event = { type: 'deploy-result', ok: false, error: errorMessage(err) };
      }
      // Store the release our deploy created before verification starts, so its verdict has a row
      // to land on (the next scheduled poll could come after verification has finished).
      if (event.ok) await this.pollReleases({ fresh: true });
      this.#deploy = undefined;
      await this.#dispatch(() => event);
    })();
  }
}
