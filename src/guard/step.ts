/**
 * The guard's decision logic as one pure function: state + event + time in, next state + actions out.
 * No I/O, no clock reads: the runner persists the returned state and only then performs the actions,
 * so every action is preceded by a durable record of the decision that led to it.
 *
 * The handlers live beside this file by concern: releases (detection, recovery), measurements
 * (judging and verifying), rollback (rails, deploys, operator decisions).
 */
import type { ResolvedTarget } from '../config/resolve.ts';
import type { CounterReadout, LatencyReadout, Measurement } from '../domain/measurement.ts';
import { onCounters } from './step-error-rate.ts';
import type { IncidentOutcome } from '../domain/incident.ts';
import type { RollbackPolicy } from '../domain/policy.ts';
import type { ReleaseOrigin, ReleaseRef, ReleaseView, TargetState, Verdict } from '../domain/target-state.ts';
import { onReleases } from './step-releases.ts';
import { onAbort, onLatency, onProbeRound, onWindowTick } from './step-measurements.ts';
import { onApprove, onDeployResult, onManualRollback, onProceed, onRetryTick, onVeto } from './step-rollback.ts';

/** The verification check that every started machine runs the rollback image (from `fly status`). */
export const MACHINES_CHECK = 'machines-on-image';

export type GuardEvent =
  /** A fresh release list from the platform (newest first), merged with stored verdicts. */
  | { type: 'releases'; releases: readonly ReleaseView[] }
  /** One round of measurements (only meaningful while guarding or verifying). */
  | { type: 'probe-round'; measurements: readonly Measurement[] }
  /** The rollback deploy returned. */
  | { type: 'deploy-result'; ok: true; version?: number }
  | { type: 'deploy-result'; ok: false; error: string }
  /** Check the safety rails and issue the rollback decided in the previous step. */
  | { type: 'proceed' }
  /** Operators, through the admin API. */
  | { type: 'approve'; by: string }
  | { type: 'veto'; by: string }
  | { type: 'manual-rollback'; by: string; to: ReleaseRef }
  | { type: 'abort'; by: string }
  /** A reading of the request/error counters (error-rate judgment and its baseline). */
  | { type: 'counters'; readout: CounterReadout }
  /** A latency reading (latency regression check and its baseline). */
  | { type: 'latency'; readout: LatencyReadout }
  /** Time passed: windows, timeouts and retries are checked here. */
  | { type: 'tick' };

export type GuardAction =
  | { type: 'set-verdict'; version: number; verdict: Verdict; reason: string }
  | { type: 'set-origin'; version: number; origin: ReleaseOrigin }
  | { type: 'deploy'; imageRef: string; toVersion: number }
  /** Feed a `proceed` event right after this transition is stored. */
  | { type: 'proceed' }
  | { type: 'open-incident'; id: string; version: number; imageRef: string; reason: string; impactStartedAt: number; evidence: string[] }
  | { type: 'close-incident'; id: string; outcome: IncidentOutcome; recoveredAt?: number }
  /** A decision worth a log line and a journal entry. */
  | { type: 'record'; kind: string; level: 'info' | 'warn' | 'error'; message: string; data?: Record<string, unknown> };

export interface StepResult {
  state: TargetState;
  actions: GuardAction[];
}

export interface StepContext {
  target: ResolvedTarget;
  now: number;
  /** The target's known releases with verdicts (newest first), for choosing a rollback target. */
  history: readonly ReleaseView[];
  /** Whether this process has a rollback deploy running right now (false after a restart). */
  deployInFlight: boolean;
  policy: RollbackPolicy;
  /** The rollback group this target belongs to: its automatic rollbacks are coordinated across members. */
  group?: string;
  /** Says why rolling back from `from` to `to` would cross a database migration, if it would. */
  migrationCrossing?: (from: ReleaseRef, to: ReleaseRef) => string | undefined;
}

export function step(state: TargetState, event: GuardEvent, ctx: StepContext): StepResult {
  switch (event.type) {
    case 'releases':
      return onReleases(state, event.releases, ctx);
    case 'probe-round':
      return onProbeRound(state, event.measurements, ctx);
    case 'deploy-result':
      return onDeployResult(state, event, ctx);
    case 'proceed':
      return onProceed(state, ctx);
    case 'approve':
      return onApprove(state, event.by, ctx);
    case 'veto':
      return onVeto(state, event.by, ctx);
    case 'manual-rollback':
      return onManualRollback(state, event.to, event.by, ctx);
    case 'abort':
      return onAbort(state, event.by, ctx);
    case 'counters':
      return onCounters(state, event.readout, ctx);
    case 'latency':
      return onLatency(state, event.readout, ctx);
    case 'tick': {
      const windowed = onWindowTick(state, ctx);
      if (windowed.actions.length > 0 || windowed.state !== state) return windowed;
      return onRetryTick(state, ctx);
    }
  }
}
