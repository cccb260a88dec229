/** Reacting to a fresh release list: our own rollback releases, interrupted deploys, new deploys. */
import { decideFailure, recoverInterruptedDeploy } from './step-rollback.ts';
import { beginErrorRateGuard } from './step-error-rate.ts';
import { closeIncident, enter, record, ref, ROLLBACK_PHASES, seconds } from './step-common.ts';
import { isInProgress, type ReleaseView, type TargetState } from '../domain/target-state.ts';
import type { GuardAction, StepContext, StepResult } from './step.ts';

export function onReleases(state: TargetState, releases: readonly ReleaseView[], ctx: StepContext): StepResult {
  const actions: GuardAction[] = [];
  const newest = releases[0];
  if (!newest) return { state, actions };
  let next: TargetState = { ...state, current: { ...ref(newest), status: newest.status } };

  const own = markOwnRollbackRelease(next, state.lastSeenVersion, releases);
  next = own.state;
  actions.push(...own.actions);

  if (next.phase === 'rolling-back' && next.rollback && !ctx.deployInFlight) {
    const recovered = recoverInterruptedDeploy(next, releases, ctx);
    return { state: recovered.state, actions: [...actions, ...recovered.actions] };
  }

  const fresh = releases.filter((r) => r.version > next.lastSeenVersion && r.origin !== 'rollback');
  const candidate = fresh[0];
  if (!candidate || isInProgress(candidate.status)) return { state: next, actions };
  // Our deploy is still out; judge the newcomer once it returns (the next list shows it again).
  if (next.phase === 'rolling-back' && ctx.deployInFlight) return { state: next, actions };

  // Releases skipped over (two deploys between polls) never got a window: no verdict on them.
  for (const skipped of fresh.slice(1)) {
    if (skipped.verdict === 'pending') {
      actions.push({ type: 'set-verdict', version: skipped.version, verdict: 'unknown', reason: `superseded by v${candidate.version} before it was guarded` });
    }
  }
  actions.push(...endCurrentWork(next, candidate.version));
  const closed = closeIncident(next, 'superseded', ctx.now);
  next = closed.state;
  actions.push(...closed.actions);
  next = { ...next, lastSeenVersion: candidate.version, rollback: undefined, plan: undefined, hold: undefined, reason: undefined, guard: undefined };

  // An image already judged bad is back (CI or a person redeployed it): no new guard, it is bad.
  const judgedBad = ctx.history.find((r) => r.imageRef === candidate.imageRef && r.verdict === 'bad' && r.version !== candidate.version);
  if (judgedBad) {
    const why = `image already judged bad in v${judgedBad.version}${judgedBad.verdictReason ? ` (${judgedBad.verdictReason})` : ''}`;
    actions.push(record('known-bad-image', 'error', `v${candidate.version} redeploys a known-bad image: ${why}`, { version: candidate.version, imageRef: candidate.imageRef }));
    const failed = decideFailure(enter(next, 'guarding', ctx.now), ref(candidate), why, [], ctx);
    return { state: failed.state, actions: [...actions, ...failed.actions] };
  }

  const window = ctx.target.guard.watchWindow;
  next = enter(next, 'guarding', ctx.now, {
    guard: { release: { ...ref(candidate), status: candidate.status }, startedAt: ctx.now, endsAt: ctx.now + window, tallies: {} },
    ...(ctx.target.errorRate && { errorRate: beginErrorRateGuard(next.errorRate, candidate.createdAt) }),
  });
  actions.push(
    record('guard-started', 'info', `new release v${candidate.version} detected; guarding it for ${seconds(window)}`, {
      version: candidate.version,
      imageRef: candidate.imageRef,
      status: candidate.status,
      user: candidate.user,
    }),
  );
  return { state: next, actions };
}

/**
 * Our own rollback release: known by version once the deploy reported it, else as the first release
 * after the failing one that carries the rollback image. It is verified, never guarded.
 */
function markOwnRollbackRelease(state: TargetState, lastSeenVersion: number, releases: readonly ReleaseView[]): StepResult {
  const rb = state.rollback;
  if (!rb || !ROLLBACK_PHASES.has(state.phase)) return { state, actions: [] };
  const ours =
    rb.rollbackVersion !== undefined
      ? releases.find((r) => r.version === rb.rollbackVersion)
      : releases.find((r) => r.version > rb.from.version && r.imageRef === rb.to.imageRef && r.version > lastSeenVersion);
  if (!ours || ours.origin === 'rollback') return { state, actions: [] };
  const actions: GuardAction[] = [
    { type: 'set-origin', version: ours.version, origin: 'rollback' },
    record('rollback-release-seen', 'info', `v${ours.version} is the watchdog's rollback to v${rb.to.version}; verified, not guarded`, {
      version: ours.version,
      imageRef: ours.imageRef,
    }),
  ];
  // Verification may have ended before this release was first stored: its verdict lands now.
  if (ours.verdict === 'pending' && state.phase === 'rolled-back') {
    actions.push({ type: 'set-verdict', version: ours.version, verdict: 'good', reason: 'rollback verified healthy' });
  }
  if (ours.verdict === 'pending' && state.phase === 'rollback-failed') {
    actions.push({ type: 'set-verdict', version: ours.version, verdict: 'bad', reason: 'rollback did not verify' });
  }
  const next = { ...state, lastSeenVersion: Math.max(state.lastSeenVersion, ours.version), rollback: { ...rb, rollbackVersion: ours.version } };
  return { state: next, actions };
}

/** What a newer deploy interrupts: a guard without a verdict, a hold, or a rollback in progress. */
function endCurrentWork(state: TargetState, newVersion: number): GuardAction[] {
  if (state.phase === 'guarding' && state.guard) {
    return [
      { type: 'set-verdict', version: state.guard.release.version, verdict: 'unknown', reason: `superseded by v${newVersion} before its watch window ended` },
      record('guard-superseded', 'info', `v${state.guard.release.version} superseded by v${newVersion}; its guard ends without a verdict`),
    ];
  }
  if (state.phase === 'held' || state.phase === 'failing') {
    return [record('hold-superseded', 'info', `v${newVersion} was deployed while the target was ${state.phase}; guarding it instead`)];
  }
  if ((state.phase === 'rolling-back' || state.phase === 'verifying') && state.rollback) {
    return [record('rollback-superseded', 'warn', `v${newVersion} was deployed during the rollback of v${state.rollback.from.version}; guarding it instead`)];
  }
  return [];
}
