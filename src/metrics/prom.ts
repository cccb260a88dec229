/**
 * prom-client implementation of WatchdogMetrics. It owns its Registry (never the global one), so
 * several daemons in one test process don't collide. Names follow Prometheus conventions: the
 * `rollback_watchdog_` prefix, base units, `_total` on counters; no release or image as a label.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { TargetPhase, Verdict } from '../domain/target-state.ts';
import type { Measurement } from '../domain/measurement.ts';
import type { RollbackOutcome, RollbackTrigger, TargetLabels, WatchdogMetrics } from './recorder.ts';


export class PromMetrics implements WatchdogMetrics {
  readonly registry = new Registry();
  readonly #phases = new Map<string, TargetPhase>();
  readonly #state: Gauge<'target' | 'environment' | 'state'>;
  readonly #measurements: Counter<'target' | 'environment' | 'check' | 'phase'>;
  readonly #probeSeconds: Histogram<'target' | 'environment' | 'check'>;
  readonly #guards: Counter<'target' | 'environment' | 'verdict'>;
  readonly #rollbacks: Counter<'target' | 'environment' | 'trigger' | 'outcome'>;
  readonly #rollbackSeconds: Histogram<'target' | 'environment'>;
  readonly #platformErrors: Counter<'command'>;
  readonly #releasePolls: Counter<'result'>;
  readonly #held: Gauge;
  readonly #errorRate: Gauge<'target' | 'environment' | 'kind'>;
  readonly #faultToRollback: Histogram<'target' | 'environment'>;
  readonly #adminActions: Counter<'action' | 'outcome'>;
  readonly #scheduleLag: Histogram;
  readonly #guardedTargets: Gauge;
  readonly #notReady: Gauge<'reason'>;
  readonly #leaseChanges: Counter<'change'>;

  constructor(options: { defaultMetrics?: boolean } = {}) {
    const registers = [this.registry];
    // The event-loop delay histogram samples on a timer: at prom-client's default 10 ms that timer
    // alone cost an idle daemon 0.5% of a core (measured on 2 cores); 100 ms still catches any
    // stall worth alerting on, and rollback_watchdog_schedule_lag_seconds measures the guard loop.
    if (options.defaultMetrics !== false) collectDefaultMetrics({ register: this.registry, eventLoopMonitoringPrecision: 100 });
    this.#state = new Gauge({
      name: 'rollback_watchdog_target_state',
      help: 'Guard state of each target: one series per target, labelled with its current state, value 1.',
      labelNames: ['target', 'environment', 'state'],
      registers,
    });
    this.#measurements = new Counter({
      name: 'rollback_watchdog_measurements_total',
      help: 'Probe measurements taken, by check and phase (successful, failed, error, inconclusive).',
      labelNames: ['target', 'environment', 'check', 'phase'],
      registers,
    });
    this.#probeSeconds = new Histogram({
      name: 'rollback_watchdog_probe_duration_seconds',
      help: 'Time taken by each probe.',
      labelNames: ['target', 'environment', 'check'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    });
    this.#guards = new Counter({
      name: 'rollback_watchdog_guards_finished_total',
      help: 'Guards that ended, by verdict (good, bad, unknown).',
      labelNames: ['target', 'environment', 'verdict'],
      registers,
    });
    this.#rollbacks = new Counter({
      name: 'rollback_watchdog_rollbacks_total',
      help: 'Rollbacks by trigger (automatic, manual) and outcome (started, verified, failed, held).',
      labelNames: ['target', 'environment', 'trigger', 'outcome'],
      registers,
    });
    this.#rollbackSeconds = new Histogram({
      name: 'rollback_watchdog_rollback_duration_seconds',
      help: 'From the rollback decision to verified healthy.',
      labelNames: ['target', 'environment'],
      buckets: [5, 10, 20, 30, 60, 120, 300, 600, 1200],
      registers,
    });
    this.#platformErrors = new Counter({
      name: 'rollback_watchdog_platform_errors_total',
      help: 'flyctl calls (command=releases, status, logs, deploy) and Machines API reads (command=machines) that failed, timed out or returned output that did not parse.',
      labelNames: ['command'],
      registers,
    });
    this.#releasePolls = new Counter({
      name: 'rollback_watchdog_release_polls_total',
      help: 'Release polls by result: listed (fly releases ran) or unchanged (the machines showed no new release, so it did not).',
      labelNames: ['result'],
      registers,
    });
    this.#held = new Gauge({
      name: 'rollback_watchdog_held_rollbacks',
      help: 'Targets whose rollback is held, waiting for an operator.',
      registers,
    });
    this.#errorRate = new Gauge({
      name: 'rollback_watchdog_error_rate_ratio',
      help: 'Error rate of the guarded release (kind=observed), of its baseline, and the threshold the sequential test uses.',
      labelNames: ['target', 'environment', 'kind'],
      registers,
    });
    this.#faultToRollback = new Histogram({
      name: 'rollback_watchdog_fault_to_rollback_seconds',
      help: 'From the first failed measurement of a bad release to its rollback deploy being issued.',
      labelNames: ['target', 'environment'],
      buckets: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600],
      registers,
    });
    this.#adminActions = new Counter({
      name: 'rollback_watchdog_admin_actions_total',
      help: 'Operator actions through the admin API, by action and outcome (ok, refused).',
      labelNames: ['action', 'outcome'],
      registers,
    });
    // No target label: one histogram for the whole daemon keeps the scrape small at 1,000 targets.
    this.#scheduleLag = new Histogram({
      name: 'rollback_watchdog_schedule_lag_seconds',
      help: 'How late each guard-loop iteration (probe round) started against its fixed-rate schedule.',
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.#notReady = new Gauge({
      name: 'rollback_watchdog_not_ready',
      help: 'Scopes (targets, the store, the process) holding each reason /readyz fails: guard-steps-failing, releases-unreadable, store-locked, unexpected-error.',
      labelNames: ['reason'],
      registers,
    });
    this.#guardedTargets = new Gauge({
      name: 'rollback_watchdog_guarded_targets',
      help: 'Targets this process guards now: all of them when alone, its share of the leases with several replicas.',
      registers,
    });
    this.#leaseChanges = new Counter({
      name: 'rollback_watchdog_lease_changes_total',
      help: 'Shard leases taken or given up by this replica, by change (acquired, released, expired, fenced, stopping).',
      labelNames: ['change'],
      registers,
    });
  }

  setNotReady(reason: string, count: number): void {
    this.#notReady.set({ reason }, count);
  }

  setGuardedTargets(count: number): void {
    this.#guardedTargets.set(count);
  }

  incLeaseChange(change: string): void {
    this.#leaseChanges.inc({ change });
  }

  observeScheduleLag(seconds: number): void {
    this.#scheduleLag.observe(seconds);
  }

  /**
   * Per-target counters are not pre-set to 0 (that would add ~11 series per target to every
   * scrape); the dashboard's queries count a series' first appearance, which increase() misses.
   *
   * One series per target, for its current state: the previous state's series is removed rather
   * than set to 0, which keeps /metrics small with hundreds of targets. Alert on
   * `rollback_watchdog_target_state{state="held"} == 1`.
   */
  setPhase(labels: TargetLabels, phase: TargetPhase): void {
    const previous = this.#phases.get(`${labels.target}\u0000${labels.environment}`);
    if (previous !== undefined && previous !== phase) this.#state.remove({ ...labels, state: previous });
    this.#phases.set(`${labels.target}\u0000${labels.environment}`, phase);
    this.#state.set({ ...labels, state: phase }, 1);
    this.#held.set([...this.#phases.values()].filter((p) => p === 'held').length);
  }

  setErrorRate(labels: TargetLabels, observed: number, baseline: number, threshold: number): void {
    for (const [kind, value] of [['observed', observed], ['baseline', baseline], ['threshold', threshold]] as const) {
      if (Number.isFinite(value)) this.#errorRate.set({ ...labels, kind }, value);
    }
  }

  observeFaultToRollbackSeconds(labels: TargetLabels, seconds: number): void {
    this.#faultToRollback.observe(labels, seconds);
  }

  incAdminAction(action: string, outcome: string): void {
    this.#adminActions.inc({ action, outcome });
  }

  observeMeasurement(labels: TargetLabels, m: Measurement): void {
    this.#measurements.inc({ ...labels, check: m.check, phase: m.phase });
    this.#probeSeconds.observe({ ...labels, check: m.check }, m.durationMs / 1000);
  }

  incGuardFinished(labels: TargetLabels, verdict: Verdict): void {
    this.#guards.inc({ ...labels, verdict });
  }

  incRollback(labels: TargetLabels, trigger: RollbackTrigger, outcome: RollbackOutcome): void {
    this.#rollbacks.inc({ ...labels, trigger, outcome });
  }

  observeRollbackSeconds(labels: TargetLabels, seconds: number): void {
    this.#rollbackSeconds.observe(labels, seconds);
  }

  incPlatformError(command: string): void {
    this.#platformErrors.inc({ command });
  }

  incReleasePoll(result: 'listed' | 'unchanged'): void {
    this.#releasePolls.inc({ result });
  }
}
