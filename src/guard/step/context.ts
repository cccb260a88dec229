/**
 * The vocabulary of the pure guard step: the events it takes, the context it reads, and the
 * result it returns. Handlers (on-*.ts) build results with the helpers below.
 */
import type { ResolvedTarget } from '../../config/resolve.ts';
import type { Decision, Effect, Refusal, Write } from '../../domain/decision.ts';
import type { CounterReadout, LatencyReadout, Measurement } from '../../domain/measurement.ts';
import type { RollbackPolicy } from '../../domain/policy.ts';
import type { GroupRollbackStep, ReleaseRef, ReleaseView, TargetState } from '../../domain/target-state.ts';

/** The verification check that every started machine runs the rollback image (from `fly status`). */
export const MACHINES_CHECK = 'machines-on-image';

/** An operator's rollback request: a version, an image, or neither (the last known good). */
export interface RollbackRequest {
  version?: number | undefined;
  image?: string | undefined;
  /** Roll back even to an image judged bad, or the one already running. */
  force?: boolean | undefined;
}

export type GuardEvent =
  /** A fresh release list from the platform (newest first), merged with stored verdicts. */
  | { type: 'releases'; releases: readonly ReleaseView[] }
  /**
   * One round of measurements (only meaningful while guarding or verifying). `platformHealthy`:
   * when some probe got no answer, whether Fly's own checks passed on every started machine.
   */
  | { type: 'probe-round'; measurements: readonly Measurement[]; platformHealthy?: boolean }
  /** The rollback deploy returned. */
  | { type: 'deploy-result'; ok: true; version?: number }
  | { type: 'deploy-result'; ok: false; error: string }
  /** Check the safety rails and issue the rollback decided in the previous step. */
  | { type: 'proceed' }
  /** A reading of the request/error counters (error-rate judgment and its baseline). */
  | { type: 'counters'; readout: CounterReadout }
  /** A latency reading (latency regression check and its baseline). */
  | { type: 'latency'; readout: LatencyReadout }
  /** Time passed: windows, timeouts and retries are checked here. */
  | { type: 'tick' }
  /** Operators, through the command facade. */
  | { type: 'approve'; by: string }
  | { type: 'veto'; by: string }
  | { type: 'manual-rollback'; by: string; request: RollbackRequest }
  | { type: 'abort'; by: string }
  | { type: 'mark'; by: string; version: number; verdict: 'good' | 'bad' }
  /** The group coordinator: the plan for the group this target asked to roll back, or why not. */
  | { type: 'group-planned'; group: string; steps: readonly GroupRollbackStep[] }
  | { type: 'group-refused'; group: string; reason: string }
  /** The group coordinator: this member's part of its group's automatic rollback. */
  | { type: 'group-rollback'; group: string; to: ReleaseRef; reason: string }
  /** The group coordinator is done with the plan this target asked for. */
  | { type: 'group-ended'; group: string; rolledBack: boolean; reason: string };

export interface StepContext {
  target: ResolvedTarget;
  now: number;
  /** The target's known releases with verdicts (newest first), for choosing a rollback target. */
  history: readonly ReleaseView[];
  /** Whether this process has a rollback deploy running right now (false after a restart). */
  deployInFlight: boolean;
  policy: RollbackPolicy;
  /** Impact longer than this makes an incident require a post-mortem. */
  postmortemAfterMs: number;
  /** The rollback group this target belongs to: its automatic rollbacks are coordinated across members. */
  group?: string;
  /** Says why rolling back from `from` to `to` would cross a database migration, if it would. */
  migrationCrossing?: (from: ReleaseRef, to: ReleaseRef) => string | undefined;
}

/** What a step produced besides the next state. */
export interface Outputs {
  decisions: Decision[];
  writes: Write[];
  effects: Effect[];
}

export interface StepResult extends Outputs {
  state: TargetState;
  /** Set when an operator command did not fit the target's state; nothing else changed then. */
  refusal?: Refusal;
}

export const unchanged = (state: TargetState): StepResult => ({ state, decisions: [], writes: [], effects: [] });

export const refuse = (state: TargetState, refusal: Refusal): StepResult => ({ ...unchanged(state), refusal });

export function result(state: TargetState, parts: Partial<Outputs> = {}): StepResult {
  return { state, decisions: parts.decisions ?? [], writes: parts.writes ?? [], effects: parts.effects ?? [] };
}

/** `first`'s outputs followed by `next`'s, with `next`'s state: two steps taken one after the other. */
export function chain(first: Partial<Outputs>, next: StepResult): StepResult {
  return {
    ...next,
    decisions: [...(first.decisions ?? []), ...next.decisions],
    writes: [...(first.writes ?? []), ...next.writes],
    effects: [...(first.effects ?? []), ...next.effects],
  };
}

/** True when the step changed nothing and asked for nothing. */
export const isNoop = (before: TargetState, r: StepResult): boolean =>
  r.state === before && r.decisions.length === 0 && r.writes.length === 0 && r.effects.length === 0;
