import type { TargetPhase, Verdict } from '../domain/target-state.ts';
import type { Measurement } from '../domain/measurement.ts';

/** Labels every per-target series carries; both are bounded by the config. */
export interface TargetLabels {
  target: string;
  environment: string;
}

export type RollbackTrigger = 'automatic' | 'manual';
export type RollbackOutcome = 'started' | 'verified' | 'failed' | 'held';

/**
 * What the watchdog reports about itself. The engine depends on this interface only, so tests can
 * pass a recording fake and the Prometheus implementation stays at the edge.
 */
export interface WatchdogMetrics {
  setPhase(labels: TargetLabels, phase: TargetPhase): void;
  observeMeasurement(labels: TargetLabels, m: Measurement): void;
  incGuardFinished(labels: TargetLabels, verdict: Verdict): void;
  incRollback(labels: TargetLabels, trigger: RollbackTrigger, outcome: RollbackOutcome): void;
  observeRollbackSeconds(labels: TargetLabels, seconds: number): void;
  incPlatformError(command: string): void;
  /** A release poll that listed releases (flyctl answered), or stopped at an unchanged fingerprint. */
  incReleasePoll?(result: 'listed' | 'unchanged'): void;
  /** The guarded release's error rate, its baseline and the test's threshold (ratios). */
  setErrorRate(labels: TargetLabels, observed: number, baseline: number, threshold: number): void;
  /** From the first failed measurement to the rollback deploy being issued. */
  observeFaultToRollbackSeconds(labels: TargetLabels, seconds: number): void;
  /** An operator action through the admin API and how it ended (ok, refused). */
  incAdminAction(action: string, outcome: string): void;
  /** How late a target's guard-loop iteration started against its fixed-rate schedule. */
  observeScheduleLag?(seconds: number): void;
  /** How many targets this process guards now (all of them alone; its share with replicas). */
  setGuardedTargets?(count: number): void;
  /** A shard lease taken or given up (acquired, released, expired, fenced, stopping). */
  incLeaseChange?(change: string): void;
  /** How many scopes (targets, the process) hold each reason the daemon is not ready for. */
  setNotReady?(reason: string, count: number): void;
}

export const noopMetrics: WatchdogMetrics = {
  setPhase() {},
  observeMeasurement() {},
  incGuardFinished() {},
  incRollback() {},
  observeRollbackSeconds() {},
  incPlatformError() {},
  setErrorRate() {},
  observeFaultToRollbackSeconds() {},
  incAdminAction() {},
};
