/**
 * The guard's decision logic as one pure function: state + event + time in, next state + actions out.
 * No I/O, no clock reads: the runner persists the returned state and only then performs the actions,
 * so every action is preceded by a durable record of the decision that led to it.
 */
import type { ResolvedTarget } from '../config/resolve.ts';
import type { Measurement } from '../signals/types.ts';
import { chooseRollbackRelease } from './choose-release.ts';
import {
  isInProgress,
  type ReleaseOrigin,
  type ReleaseRef,
  type ReleaseView,
  type TargetPhase,
  type TargetState,
  type Verdict,
} from './state.ts';
import { allPassing, failingProbes, foldRound } from './tally.ts';

export type GuardEvent =
  /** A fresh release list from the platform (newest first), merged with stored verdicts. */
  | { type: 'releases'; releases: readonly ReleaseView[] }
  /** One round of probe measurements (only meaningful while guarding or verifying). */
  | { type: 'probe-round'; measurements: readonly Measurement[] }
  /** The rollback deploy returned. */
  | { type: 'deploy-result'; ok: true; version?: number }
  | { type: 'deploy-result'; ok: false; error: string }
  /** Time passed: windows and timeouts are checked here. */
  | { type: 'tick' };

export type GuardAction =
  | { type: 'set-verdict'; version: number; verdict: Verdict; reason: string }
  | { type: 'set-origin'; version: number; origin: ReleaseOrigin }
  | { type: 'deploy'; imageRef: string; toVersion: number }
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
}

/** A rollback deploy is issued at most this many times (the first try plus re-issues after restarts). */
export const MAX_DEPLOY_ATTEMPTS = 3;

/** Phases in which `state.rollback` describes the latest rollback. */
const ROLLBACK_PHASES: ReadonlySet<TargetPhase> = new Set(['rolling-back', 'verifying', 'rolled-back', 'rollback-failed']);

const ref = (r: ReleaseRef): ReleaseRef => ({ version: r.version, imageRef: r.imageRef });

function enter(state: TargetState, phase: TargetPhase, now: number, patch: Partial<TargetState> = {}): TargetState {
  return { ...state, ...patch, phase, since: phase === state.phase ? state.since : now };
}

export function step(state: TargetState, event: GuardEvent, ctx: StepContext): StepResult {
  switch (event.type) {
    case 'releases':
      return onReleases(state, event.releases, ctx);
    case 'probe-round':
      return onProbeRound(state, event.measurements, ctx);
    case 'deploy-result':
      return onDeployResult(state, event, ctx);
    case 'tick':
      return onTick(state, ctx);
  }
}

function onReleases(state: TargetState, releases: readonly ReleaseView[], ctx: StepContext): StepResult {
  const actions: GuardAction[] = [];
  const newest = releases[0];
  if (!newest) return { state, actions };
  let next: TargetState = { ...state, current: { ...ref(newest), status: newest.status } };

  // Our own rollback release: known by version once the deploy reported it, else as the first
  // release after the failing one that carries the rollback image. It is verified, never guarded.
  if (next.rollback && ROLLBACK_PHASES.has(next.phase)) {
    const rb = next.rollback;
    const ours =
      rb.rollbackVersion !== undefined
        ? releases.find((r) => r.version === rb.rollbackVersion)
        : releases.find((r) => r.version > rb.from.version && r.imageRef === rb.to.imageRef && r.version > state.lastSeenVersion);
    if (ours && ours.origin !== 'rollback') {
      next = { ...next, lastSeenVersion: Math.max(next.lastSeenVersion, ours.version), rollback: { ...rb, rollbackVersion: ours.version } };
      actions.push(
        { type: 'set-origin', version: ours.version, origin: 'rollback' },
        record('rollback-release-seen', 'info', `v${ours.version} is the watchdog's rollback to v${rb.to.version}; verified, not guarded`, {
          version: ours.version,
          imageRef: ours.imageRef,
        }),
      );
      // Verification may have ended before this release was first stored: its verdict lands now.
      if (ours.verdict === 'pending' && next.phase === 'rolled-back') {
        actions.push({ type: 'set-verdict', version: ours.version, verdict: 'good', reason: 'rollback verified healthy' });
      }
      if (ours.verdict === 'pending' && next.phase === 'rollback-failed') {
        actions.push({ type: 'set-verdict', version: ours.version, verdict: 'bad', reason: 'rollback did not verify' });
      }
    }
  }

  if (next.phase === 'rolling-back' && next.rollback && !ctx.deployInFlight) {
    const recovered = recoverInterruptedDeploy(next, releases, ctx);
    return { state: recovered.state, actions: [...actions, ...recovered.actions] };
  }

  const fresh = releases.filter((r) => r.version > next.lastSeenVersion && r.origin !== 'rollback');
  const candidate = fresh[0];
  if (!candidate || isInProgress(candidate.status)) return { state: next, actions };

  // A deploy by someone else while our rollback is out: a human has taken over; stand back.
  if (next.phase === 'rolling-back' && next.rollback?.issuedAt !== undefined && next.rollback.rollbackVersion === undefined) {
    // Our deploy is still running; judge the newcomer once it returns (the next list will show it again).
    return { state: next, actions };
  }

  // Releases skipped over (two deploys between polls) never got a window: no verdict on them.
  for (const skipped of fresh.slice(1)) {
    if (skipped.verdict === 'pending') {
      actions.push({ type: 'set-verdict', version: skipped.version, verdict: 'unknown', reason: `superseded by v${candidate.version} before it was guarded` });
    }
  }
  if (next.phase === 'guarding' && next.guard) {
    actions.push(
      { type: 'set-verdict', version: next.guard.release.version, verdict: 'unknown', reason: `superseded by v${candidate.version} before its watch window ended` },
      record('guard-superseded', 'info', `v${next.guard.release.version} superseded by v${candidate.version}; its guard ends without a verdict`),
    );
  }
  if ((next.phase === 'rolling-back' || next.phase === 'verifying') && next.rollback) {
    actions.push(record('rollback-superseded', 'warn', `v${candidate.version} was deployed during the rollback of v${next.rollback.from.version}; guarding it instead`));
  }

  const window = ctx.target.guard.watchWindow;
  next = enter(next, 'guarding', ctx.now, {
    lastSeenVersion: candidate.version,
    guard: { release: { ...ref(candidate), status: candidate.status }, startedAt: ctx.now, endsAt: ctx.now + window, tallies: {} },
    rollback: undefined,
    reason: undefined,
  });
  actions.push(
    record('guard-started', 'info', `new release v${candidate.version} detected; guarding it for ${Math.round(window / 1000)}s`, {
      version: candidate.version,
      imageRef: candidate.imageRef,
      status: candidate.status,
      user: candidate.user,
    }),
  );
  return { state: next, actions };
}

/**
 * After a restart the rollback deploy we issued may have finished, be running, or never have reached
 * the platform. The release list tells which; the deploy is only issued again when no release with
 * our image has appeared within `reissueAfter`, so a restart never doubles a deploy that got through.
 */
function recoverInterruptedDeploy(state: TargetState, releases: readonly ReleaseView[], ctx: StepContext): StepResult {
  const rb = state.rollback!;
  if (rb.rollbackVersion !== undefined) {
    const mine = releases.find((r) => r.version === rb.rollbackVersion);
    if (!mine || isInProgress(mine.status)) return { state, actions: [] };
    const result: Extract<GuardEvent, { type: 'deploy-result' }> =
      mine.status === 'complete'
        ? { type: 'deploy-result', ok: true, version: mine.version }
        : { type: 'deploy-result', ok: false, error: `release v${mine.version} ended ${mine.status}` };
    const done = onDeployResult(state, result, ctx);
    return { state: done.state, actions: [record('rollback-recovered', 'info', `found the interrupted rollback deploy as v${mine.version} (${mine.status})`), ...done.actions] };
  }
  const issuedAt = rb.issuedAt ?? rb.decidedAt;
  if (ctx.now - issuedAt < ctx.target.rollback.reissueAfter) return { state, actions: [] };
  if (rb.attempts >= MAX_DEPLOY_ATTEMPTS) {
    const reason = `rollback deploy of v${rb.to.version}'s image never produced a release after ${rb.attempts} attempts`;
    return { state: enter(state, 'rollback-failed', ctx.now, { reason }), actions: [record('rollback-failed', 'error', reason)] };
  }
  const next: TargetState = { ...state, rollback: { ...rb, issuedAt: ctx.now, attempts: rb.attempts + 1 } };
  return {
    state: next,
    actions: [
      record('rollback-reissued', 'warn', `no release from the interrupted rollback deploy after ${Math.round((ctx.now - issuedAt) / 1000)}s; issuing it again (attempt ${rb.attempts + 1})`),
      { type: 'deploy', imageRef: rb.to.imageRef, toVersion: rb.to.version },
    ],
  };
}

function onProbeRound(state: TargetState, measurements: readonly Measurement[], ctx: StepContext): StepResult {
  if (state.phase === 'guarding' && state.guard) {
    const tallies = foldRound(state.guard.tallies, measurements);
    const next: TargetState = { ...state, guard: { ...state.guard, tallies } };
    const failing = failingProbes(tallies, ctx.target.guard.failureThreshold);
    if (failing.length === 0) return { state: next, actions: [] };
    return decideRollback(next, state.guard.release, failing.join('; '), measurements, ctx);
  }
  if (state.phase === 'verifying' && state.rollback) {
    const tallies = foldRound(state.rollback.tallies, measurements);
    const next: TargetState = { ...state, rollback: { ...state.rollback, tallies } };
    const probes = ctx.target.probes.map((p) => p.name);
    if (!allPassing(tallies, probes, ctx.target.verify.successes)) return { state: next, actions: [] };
    const rb = state.rollback;
    const reason = `rolled back from v${rb.from.version} to the image of v${rb.to.version}; all probes passed ${ctx.target.verify.successes}× in a row`;
    const actions: GuardAction[] = [record('rollback-verified', 'info', reason, { from: rb.from, to: rb.to, rollbackVersion: rb.rollbackVersion })];
    if (rb.rollbackVersion !== undefined) {
      actions.unshift({ type: 'set-verdict', version: rb.rollbackVersion, verdict: 'good', reason: 'rollback verified healthy' });
    }
    return { state: enter(next, 'rolled-back', ctx.now, { reason }), actions };
  }
  return { state, actions: [] };
}

function decideRollback(
  state: TargetState,
  failing: ReleaseRef,
  why: string,
  evidence: readonly Measurement[],
  ctx: StepContext,
): StepResult {
  const actions: GuardAction[] = [
    { type: 'set-verdict', version: failing.version, verdict: 'bad', reason: why },
    record('release-failed', 'warn', `v${failing.version} failed its guard: ${why}`, {
      version: failing.version,
      imageRef: failing.imageRef,
      measurements: evidence.map((m) => ({ check: m.check, phase: m.phase, detail: m.detail })),
    }),
  ];
  const target = chooseRollbackRelease(ctx.history, failing);
  if (!target) {
    const reason = `v${failing.version} failed (${why}) and there is no known-good earlier release to return to`;
    actions.push(record('rollback-held', 'error', reason, { version: failing.version }));
    return { state: enter(state, 'held', ctx.now, { guard: undefined, reason }), actions };
  }
  const rollback = {
    from: ref(failing),
    to: ref(target),
    reason: why,
    decidedAt: ctx.now,
    issuedAt: ctx.now,
    attempts: 1,
    tallies: {},
  };
  actions.push(
    record('rollback-started', 'warn', `rolling back v${failing.version} to the image of v${target.version}`, {
      from: rollback.from,
      to: rollback.to,
      strategy: ctx.target.rollback.strategy,
    }),
    { type: 'deploy', imageRef: target.imageRef, toVersion: target.version },
  );
  return { state: enter(state, 'rolling-back', ctx.now, { guard: undefined, rollback, reason: why }), actions };
}

function onDeployResult(
  state: TargetState,
  result: Extract<GuardEvent, { type: 'deploy-result' }>,
  ctx: StepContext,
): StepResult {
  if (state.phase !== 'rolling-back' || !state.rollback) return { state, actions: [] };
  const rb = state.rollback;
  if (!result.ok) {
    const reason = `rollback deploy of v${rb.to.version}'s image failed: ${result.error}`;
    return {
      state: enter(state, 'rollback-failed', ctx.now, { reason }),
      actions: [record('rollback-failed', 'error', reason, { from: rb.from, to: rb.to })],
    };
  }
  const rollbackVersion = rb.rollbackVersion ?? result.version;
  const actions: GuardAction[] = [];
  if (rb.rollbackVersion === undefined && result.version !== undefined) {
    actions.push({ type: 'set-origin', version: result.version, origin: 'rollback' });
  }
  actions.push(record('rollback-deployed', 'info', `rollback deploy finished; verifying for up to ${Math.round(ctx.target.verify.timeout / 1000)}s`, { rollbackVersion }));
  const next = enter(state, 'verifying', ctx.now, {
    rollback: { ...rb, rollbackVersion, verifyEndsAt: ctx.now + ctx.target.verify.timeout, tallies: {} },
    lastSeenVersion: Math.max(state.lastSeenVersion, rollbackVersion ?? 0),
  });
  return { state: next, actions };
}

function onTick(state: TargetState, ctx: StepContext): StepResult {
  if (state.phase === 'guarding' && state.guard && ctx.now >= state.guard.endsAt) {
    const g = state.guard;
    const finished = !isInProgress(g.release.status) && g.release.status === 'complete';
    const verdict: Verdict = finished ? 'good' : 'unknown';
    const reason = finished
      ? `healthy for the whole ${Math.round(ctx.target.guard.watchWindow / 1000)}s watch window`
      : `probes passed, but the platform reported the release ${g.release.status}; not eligible as a rollback target`;
    return {
      state: enter(state, 'stable', ctx.now, { guard: undefined, reason: undefined }),
      actions: [
        { type: 'set-verdict', version: g.release.version, verdict, reason },
        record('guard-passed', 'info', `v${g.release.version} ${verdict === 'good' ? 'marked good' : 'left unjudged'}: ${reason}`, {
          version: g.release.version,
          tallies: g.tallies,
        }),
      ],
    };
  }
  if (state.phase === 'verifying' && state.rollback?.verifyEndsAt !== undefined && ctx.now >= state.rollback.verifyEndsAt) {
    const rb = state.rollback;
    const failing = Object.entries(rb.tallies)
      .map(([name, t]) => `${name}: ${t.lastDetail ?? 'no result'}`)
      .join('; ');
    const reason = `rollback to v${rb.to.version}'s image did not verify within ${Math.round(ctx.target.verify.timeout / 1000)}s (${failing || 'no probe results'})`;
    const actions: GuardAction[] = [record('rollback-failed', 'error', reason, { from: rb.from, to: rb.to, tallies: rb.tallies })];
    if (rb.rollbackVersion !== undefined) {
      actions.unshift({ type: 'set-verdict', version: rb.rollbackVersion, verdict: 'bad', reason: 'rollback did not verify' });
    }
    return { state: enter(state, 'rollback-failed', ctx.now, { reason }), actions };
  }
  return { state, actions: [] };
}

function record(kind: string, level: 'info' | 'warn' | 'error', message: string, data?: Record<string, unknown>): GuardAction {
  return { type: 'record', kind, level, message, ...(data && { data }) };
}
