/**
 * One target's guard, as I/O around the pure `step`: it feeds events in (release lists, probe
 * rounds, deploy results, ticks), writes each resulting transition to the store, and only then
 * performs the actions. Events are handled one at a time through a promise queue, so a probe round
 * and a release poll can never interleave their state changes.
 */
import type { Clock } from '../clock.ts';
import type { ResolvedTarget } from '../config/resolve.ts';
import type { Probe } from '../config/schema.ts';
import type { Logger } from '../log.ts';
import type { TargetLabels, WatchdogMetrics } from '../metrics/recorder.ts';
import type { Platform } from '../platform/types.ts';
import type { CounterSource, LatencySource, Measurement } from '../signals/types.ts';
import { CONNECTIVITY_CHECK, gateOnConnectivity } from '../signals/connectivity.ts';
import type { Store, Transition } from '../store/types.ts';
import type { RollbackPolicy } from './policy.ts';
import { initialState, type ReleaseRef, type ReleaseView, type TargetState } from './state.ts';
import { MACHINES_CHECK, step, type GuardAction, type GuardEvent } from './step.ts';
import type { NotifyEvent } from '../notify/events.ts';
import { notifyEventFor, postmortemEvent } from './notify-events.ts';
import { migrationCrossing } from './migrations.ts';
import { readMigrationMarker } from '../signals/migration-marker.ts';
import { SecretRegistry } from '../secrets.ts';

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
}

/** Phases in which counters and latency are read: a baseline while stable, the judgment while guarding. */
const READING_PHASES: ReadonlySet<string> = new Set(['idle', 'stable', 'rolled-back', 'guarding']);

/** Lines of `fly logs` kept as an incident's evidence, as the runbook's `| head -50`. */
const INCIDENT_LOG_LINES = 50;

/** Rough one-line description of an error from the platform adapter (already secret-masked). */
function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export class TargetRunner {
  readonly target: ResolvedTarget;
  readonly #deps: RunnerDeps;
  readonly #log: Logger;
  readonly #labels: TargetLabels;
  readonly #stop = new AbortController();
  #state: TargetState;
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

  private constructor(deps: RunnerDeps, state: TargetState) {
    this.#deps = deps;
    this.target = deps.target;
    this.#state = state;
    this.#labels = { target: deps.target.name, environment: deps.target.environment };
    this.#log = deps.logger.child({ target: deps.target.name, app: deps.target.app, environment: deps.target.environment });
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
   */
  async pollReleases(): Promise<void> {
    if (this.#stop.signal.aborted) return;
    const { platform, store, clock } = this.#deps;
    let releases;
    try {
      releases = await platform.listReleases(this.target.app, this.#stop.signal);
    } catch (err) {
      this.#deps.metrics.incPlatformError('releases');
      this.#log.error({ err: { code: (err as { code?: string }).code, message: errorMessage(err) } }, 'could not list releases; no action taken');
      return;
    }
    await store.syncReleases(this.target.name, releases, clock.now());
    this.#lastPollOk = true;
    await this.#dispatch(async () => {
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
  }

  async #runLoop(): Promise<void> {
    const { clock } = this.#deps;
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      try {
        await clock.sleep(this.target.guard.probeInterval, signal);
      } catch {
        return; // aborted
      }
      const phase = this.#state.phase;
      if (phase === 'guarding' || phase === 'verifying') {
        const measurements = await this.#probeRound(signal);
        if (phase === 'verifying' && this.#state.rollback) measurements.push(await this.#machinesOnImage(this.#state.rollback.to.imageRef, signal));
        if (signal.aborted) return;
        const gated = await this.#gateOnConnectivity(measurements, signal);
        await this.#dispatch(() => ({ type: 'probe-round', measurements: gated }));
        if (phase === 'guarding') this.#startDueSmokeTests(signal);
      }
      if (this.#deps.counterSource && READING_PHASES.has(phase)) {
        const readout = await this.#deps.counterSource.read(signal);
        if (signal.aborted) return;
        await this.#dispatch(() => ({ type: 'counters', readout }));
        const last = this.#state.phase === 'guarding' ? this.#state.errorRate?.last : undefined;
        if (last) this.#deps.metrics.setErrorRate(this.#labels, last.rate, last.baselineRate, last.threshold);
      }
      if (this.#deps.latencySource && READING_PHASES.has(phase)) {
        const readout = await this.#deps.latencySource.read(signal);
        if (signal.aborted) return;
        await this.#dispatch(() => ({ type: 'latency', readout }));
      }
      await this.#dispatch(() => ({ type: 'tick' }));
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
          if (signal.aborted || this.#state.guard?.startedAt !== guard.startedAt) return;
          await this.#dispatch(() => ({ type: 'probe-round', measurements: [m] }));
        })
        .finally(() => this.#smokeRunning.delete(probe.name));
    }
  }

  /**
   * A deploy can report success while a machine stays on another image, so verification also asks
   * the platform which image every machine runs.
   */
  async #machinesOnImage(imageRef: string, signal: AbortSignal): Promise<Measurement> {
    const started = this.#deps.clock.now();
    const m = (phase: Measurement['phase'], detail: string): Measurement => ({
      check: MACHINES_CHECK,
      phase,
      at: this.#deps.clock.now(),
      durationMs: this.#deps.clock.now() - started,
      detail,
    });
    try {
      const status = await this.#deps.platform.status(this.target.app, signal);
      const running = status.machines.filter((machine) => machine.state === 'started');
      if (running.length === 0) return m('failed', 'no started machine');
      const stray = running.filter((machine) => machine.imageRef !== imageRef);
      if (stray.length > 0) return m('failed', `${stray.length} of ${running.length} machines on another image (${stray.map((x) => x.id).join(', ')})`);
      return m('successful', `all ${running.length} started machines run the rollback image`);
    } catch (err) {
      this.#deps.metrics.incPlatformError('status');
      return m('error', `fly status failed: ${errorMessage(err)}`);
    }
  }

  async #probeRound(signal: AbortSignal): Promise<Measurement[]> {
    const regular = this.target.probes.filter((p) => p.type !== 'smoke');
    const results = await Promise.all(regular.map((p) => this.#deps.runProbe(p, signal)));
    for (const m of results) {
      this.#deps.metrics.observeMeasurement(this.#labels, m);
      this.#log.debug({ check: m.check, phase: m.phase, detail: m.detail, durationMs: m.durationMs }, 'probe');
    }
    return results;
  }

  /** Queues one event: build it, step, persist the transition, then act. */
  #dispatch(makeEvent: () => GuardEvent | Promise<GuardEvent>): Promise<void> {
    const run = async () => {
      const event = await makeEvent();
      const { store, clock } = this.#deps;
      const now = clock.now();
      const history = await store.listReleases(this.target.name);
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
      if (result.state === before && result.actions.length === 0) return;
      const transition = this.#transition(before, result.state, result.actions, now);
      await store.saveTransition(transition, now);
      this.#deps.afterTransition?.(transition);
      this.#state = result.state;
      if (before.phase !== result.state.phase) this.#deps.metrics.setPhase(this.#labels, result.state.phase);
      for (const action of result.actions) this.#perform(action, before, now);
      for (const closed of transition.closeIncidents) {
        const incident = await store.getIncident(closed.id);
        if (incident?.postmortemRequired) this.#deps.notify?.(postmortemEvent(incident, now));
      }
    };
    this.#queue = this.#queue.then(run).catch((err) => this.#log.error({ err }, 'guard step failed; state unchanged'));
    return this.#queue;
  }

  #transition(before: TargetState, state: TargetState, actions: readonly GuardAction[], now: number): Transition {
    const t: Transition = { state, verdicts: [], origins: [], journal: [], openIncidents: [], closeIncidents: [] };
    // A decision belongs to the incident open before or after it (so the opening and closing lines do too).
    const incidentId = state.incident?.open ? state.incident.id : before.incident?.open ? before.incident.id : undefined;
    for (const a of actions) {
      if (a.type === 'set-verdict') t.verdicts.push({ version: a.version, verdict: a.verdict, reason: a.reason });
      if (a.type === 'set-origin') t.origins.push({ version: a.version, origin: a.origin });
      if (a.type === 'record') {
        t.journal.push({ target: this.target.name, at: now, kind: a.kind, message: a.message, ...(a.data && { data: a.data }), ...(incidentId && { incidentId }) });
      }
      if (a.type === 'open-incident') {
        t.openIncidents.push({
          id: a.id,
          target: this.target.name,
          environment: this.target.environment,
          version: a.version,
          imageRef: a.imageRef,
          reason: a.reason,
          status: 'open',
          openedAt: now,
          impactStartedAt: a.impactStartedAt,
          postmortemRequired: false,
          evidence: a.evidence.length > 0 ? [{ kind: 'measurements', at: now, lines: a.evidence }] : [],
        });
      }
      if (a.type === 'close-incident') {
        t.closeIncidents.push({ id: a.id, outcome: a.outcome, closedAt: now, postmortemAfterMs: this.#deps.postmortemAfterMs, ...(a.recoveredAt !== undefined && { recoveredAt: a.recoveredAt }) });
      }
    }
    return t;
  }

  /**
   * Notes which database migration the new release runs on. A failed read leaves it unrecorded,
   * which makes any later rollback from this release wait for a human: unknown counts as crossing.
   */
  async #recordMigrationMarker(version: number): Promise<void> {
    const source = this.target.migrations;
    if (!source) return;
    try {
      const marker = await readMigrationMarker(source, this.#deps.secrets ?? new SecretRegistry(), this.#stop.signal);
      await this.#deps.store.setMigrationMarker(this.target.name, version, marker);
      this.#log.info({ version, migrationMarker: marker }, 'recorded the database migration the release runs on');
    } catch (err) {
      this.#log.warn({ version, err: { message: errorMessage(err) } }, 'could not read the database migration marker; rollbacks from this release will be held');
    }
  }

  /** The runbook's "read fly logs", done for the on-call engineer and kept with the incident. */
  async #attachLogs(incidentId: string): Promise<void> {
    const { platform, store, clock } = this.#deps;
    try {
      const lines = await platform.recentLogs(this.target.app, INCIDENT_LOG_LINES);
      await store.addIncidentEvidence(incidentId, { kind: 'fly-logs', at: clock.now(), lines });
    } catch (err) {
      this.#deps.metrics.incPlatformError('logs');
      await store.addIncidentEvidence(incidentId, { kind: 'note', at: clock.now(), text: `fly logs unavailable: ${errorMessage(err)}` });
    }
  }

  /** Side effects after the transition is durable. Store writes were already part of it. */
  #perform(action: GuardAction, before: TargetState, now: number): void {
    switch (action.type) {
      case 'record': {
        this.#log[action.level]({ decision: action.kind, phase: this.#state.phase, ...action.data }, action.message);
        this.#countDecision(action.kind, before);
        const event = notifyEventFor(action.kind, action.data, { target: this.target, before, after: this.#state, now });
        if (event) this.#deps.notify?.(event);
        if (action.kind === 'guard-started' && this.#state.guard) void this.#recordMigrationMarker(this.#state.guard.release.version);
        return;
      }
      case 'set-verdict':
      case 'set-origin':
      case 'close-incident':
        return; // written with the transition
      case 'open-incident':
        this.#faultOnset = action.impactStartedAt;
        void this.#attachLogs(action.id);
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
      await store.appendJournal({ target: this.target.name, at: now, kind: `marked-${verdict}`, message: `v${version} ${reason}`, data: { version } });
      this.#log.warn({ decision: `marked-${verdict}`, version, by }, `v${version} ${reason}`);
    });
    return this.#queue;
  }


  #countDecision(kind: string, before: TargetState): void {
    const { metrics } = this.#deps;
    if (kind === 'guard-passed') metrics.incGuardFinished(this.#labels, 'good');
    if (kind === 'release-failed') metrics.incGuardFinished(this.#labels, 'bad');
    if (kind === 'guard-superseded') metrics.incGuardFinished(this.#labels, 'unknown');
    const trigger = this.#state.rollback?.trigger ?? before.rollback?.trigger ?? 'automatic';
    if (kind === 'rollback-started') {
      metrics.incRollback(this.#labels, trigger, 'started');
      if (this.#faultOnset !== undefined) metrics.observeFaultToRollbackSeconds(this.#labels, (this.#deps.clock.now() - this.#faultOnset) / 1000);
      this.#faultOnset = undefined;
    }
    if (kind === 'rollback-held') metrics.incRollback(this.#labels, 'automatic', 'held');
    if (kind === 'rollback-failed') metrics.incRollback(this.#labels, trigger, 'failed');
    if (kind === 'rollback-verified') {
      metrics.incRollback(this.#labels, trigger, 'verified');
      const decidedAt = before.rollback?.decidedAt;
      if (decidedAt !== undefined) metrics.observeRollbackSeconds(this.#labels, (this.#deps.clock.now() - decidedAt) / 1000);
    }
  }

  /**
   * Runs the rollback deploy outside the event queue (it can take minutes) and feeds its result
   * back in. Never two at once: `step` only emits a deploy when none is in flight.
   */
  #startDeploy(imageRef: string): void {
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
        // No abort signal: a deploy interrupted half-way is worse than one that finishes after we exit.
        const result = await platform.deployImage(target.app, imageRef, {
          strategy: target.rollback.strategy,
          waitTimeoutMs: target.rollback.waitTimeout,
        });
        event = { type: 'deploy-result', ok: true, ...(result.version !== undefined && { version: result.version }) };
      } catch (err) {
        this.#deps.metrics.incPlatformError('deploy');
        event = { type: 'deploy-result', ok: false, error: errorMessage(err) };
      }
      // Store the release our deploy created before verification starts, so its verdict has a row
      // to land on (the next scheduled poll could come after verification has finished).
      if (event.ok) await this.pollReleases();
      this.#deploy = undefined;
      await this.#dispatch(() => event);
    })();
  }
}
