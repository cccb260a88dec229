/** Reacting to a fresh release list: our own rollback releases, interrupted deploys, new deploys. */
import { sameBuild } from '../../domain/build-identity.ts';
import type { Decision, Write } from '../../domain/decision.ts';
import { isInProgress, type ReleaseView, type TargetState } from '../../domain/target-state.ts';
import { closeIncident, enter, guardEndVerdict, ref, ROLLBACK_PHASES } from './common.ts';
import { result, chain, type Outputs, type StepContext, type StepResult } from './context.ts';
import { beginErrorRateGuard } from './on-error-rate.ts';
import { decideFailure, recoverInterruptedDeploy } from './on-rollback.ts';

export function onReleases(state: TargetState, releases: readonly ReleaseView[], ctx: StepContext): StepResult {
  const newest = releases[0];
  if (!newest) return result(state);
  const current: TargetState = { ...state, current: { ...ref(newest), status: newest.status } };
  const own = markOwnRollbackRelease(current, releases);
  let next = own.state;

  if (next.phase === 'rolling-back' && next.rollback && !ctx.deployInFlight) return chain(own, recoverInterruptedDeploy(next, releases, ctx));

  const fresh = releases.filter((r) => r.version > next.lastSeenVersion && r.origin !== 'rollback');
  const candidate = fresh[0];
  if (!candidate) return own;
  if (isInProgress(candidate.status) && !stuck(candidate, ctx)) return own;
  // Our deploy is still out; judge the newcomer once it returns (the next list shows it again).
  if (next.phase === 'rolling-back' && ctx.deployInFlight) return own;
  if (NOT_COMPLETED.has(candidate.status)) {
    if (candidate.live === undefined) return own; // the poller could not ask the machines: wait for a listing that knows
    if (!candidate.live) return chain(own, notLive(own.state, candidate));
  }

  const out: Outputs = { decisions: [...own.decisions], writes: [...own.writes], effects: [...own.effects] };
  // Releases skipped over (two deploys between polls) never got a window: no verdict on them.
  for (const skipped of fresh.slice(1)) {
    if (skipped.verdict === 'pending') {
      out.writes.push({ type: 'set-verdict', version: skipped.version, verdict: 'unknown', reason: `superseded by v${candidate.version} before it was guarded` });
    }
  }
  const interrupted = endCurrentWork(next, candidate.version);
  out.decisions.push(...interrupted.decisions);
  out.writes.push(...interrupted.writes);
  const closed = closeIncident(next, 'superseded', ctx);
  out.writes.push(...(closed.writes ?? []));
  out.effects.push(...(closed.effects ?? []));
  next = { ...closed.state, lastSeenVersion: candidate.version, rollback: undefined, plan: undefined, hold: undefined, reason: undefined, guard: undefined, groupRollback: undefined };

  // An image already judged bad is back (CI or a person redeployed it): no new guard, it is bad.
  const judgedBad = ctx.history.find((r) => r.verdict === 'bad' && r.version !== candidate.version && sameBuild(r, candidate));
  if (judgedBad) {
    const why = `image already judged bad in v${judgedBad.version}${judgedBad.verdictReason ? ` (${judgedBad.verdictReason})` : ''}`;
    out.decisions.push({ kind: 'known-bad-image', version: candidate.version, imageRef: candidate.imageRef, badVersion: judgedBad.version, why });
    return chain(out, decideFailure(enter(next, 'guarding', ctx.now), ref(candidate), why, [], ctx));
  }

  const window = ctx.target.guard.watchWindow;
  const configOnly = sameImageAsBefore(candidate, releases);
  next = enter(next, 'guarding', ctx.now, {
    guard: { release: { ...ref(candidate), status: candidate.status }, startedAt: ctx.now, endsAt: ctx.now + window, tallies: {}, ...(configOnly && { configOnly }) },
    ...(ctx.target.errorRate && { errorRate: beginErrorRateGuard(next.errorRate, candidate.createdAt, ctx.now, ctx.target.errorRate) }),
  });
  out.decisions.push({ kind: 'guard-started', version: candidate.version, imageRef: candidate.imageRef, status: candidate.status, user: candidate.user, windowMs: window });
  if (ctx.target.migrations) out.effects.push({ type: 'read-migration-marker', version: candidate.version });
  return result(next, out);
}

/** Statuses of a deploy that did not complete: Fly may have kept the previous image running. */
const NOT_COMPLETED: ReadonlySet<string> = new Set(['failed', 'interrupted']);

/** Still `running` long after it was created, and on the machines: the deploy that made it died. */
function stuck(r: ReleaseView, ctx: StepContext): boolean {
  return r.live === true && ctx.now - r.createdAt >= ctx.target.guard.stuckAfter;
}

/**
 * A deploy that ended failed or interrupted with no machine on its image (a bluegreen deploy
 * flyctl reverted, a release command that failed): the previous release still serves, and
 * whatever the target was doing goes on. The release gets no verdict: its image was never judged.
 */
function notLive(state: TargetState, r: ReleaseView): StepResult {
  return result(
    { ...state, lastSeenVersion: r.version },
    {
      writes: r.verdict === 'pending' ? [{ type: 'set-verdict', version: r.version, verdict: 'unknown', reason: `the deploy ended ${r.status} and no machine ran it` }] : [],
      decisions: [{ kind: 'release-not-live', version: r.version, status: r.status }],
    },
  );
}

/**
 * The image equals that of the release before it (the newest earlier one that completed): a
 * `fly secrets set/unset/import/deploy` or another config-only change (flyctl
 * internal/command/secrets/secrets.go: a restart-only deployment that keeps the current image).
 */
function sameImageAsBefore(candidate: ReleaseView, releases: readonly ReleaseView[]): boolean {
  const before = releases.find((r) => r.version < candidate.version && r.status === 'complete');
  return before !== undefined && sameBuild(before, candidate);
}

/**
 * Our own rollback's releases: every release after the failing one that carries the rollback
 * image is ours and is never guarded. The one rolling out or complete is the rollback (known by
 * version once the deploy reported it); one that ended failed or interrupted was an attempt.
 */
function markOwnRollbackRelease(state: TargetState, releases: readonly ReleaseView[]): StepResult {
  const rb = state.rollback;
  if (!rb || !ROLLBACK_PHASES.has(state.phase)) return result(state);
  // Once the rollback has ended, a later release of the same image is someone's deploy, not ours.
  const active = state.phase === 'rolling-back' || state.phase === 'verifying';
  const mine = releases.filter(
    (r) => r.version === rb.rollbackVersion || (r.version > rb.from.version && sameBuild(r, rb.to) && (active || r.version <= state.lastSeenVersion)),
  );
  const writes: Write[] = [];
  const decisions: Decision[] = [];
  let next = state;
  for (const r of mine) {
    if (r.origin !== 'rollback') writes.push({ type: 'set-origin', version: r.version, origin: 'rollback' });
    next = { ...next, lastSeenVersion: Math.max(next.lastSeenVersion, r.version) };
  }
  const current = next.rollback!;
  const ours = current.rollbackVersion !== undefined
    ? mine.find((r) => r.version === current.rollbackVersion)
    : mine.find((r) => !NOT_COMPLETED.has(r.status) && !(current.attemptVersions ?? []).includes(r.version));
  if (ours && current.rollbackVersion === undefined) {
    // Found rolling out after a failed attempt: that attempt is still going, so no retry is due.
    next = { ...next, rollback: { ...current, rollbackVersion: ours.version, retryAt: undefined } };
    decisions.push({ kind: 'rollback-release-seen', version: ours.version, imageRef: ours.imageRef, to: rb.to.version });
  }
  // Verification may have ended before this release was first stored: its verdict lands now.
  if (ours?.verdict === 'pending' && state.phase === 'rolled-back') {
    writes.push({ type: 'set-verdict', version: ours.version, verdict: 'good', reason: 'rollback verified healthy' });
  }
  if (ours?.verdict === 'pending' && state.phase === 'rollback-failed') {
    writes.push({ type: 'set-verdict', version: ours.version, verdict: 'bad', reason: 'rollback did not verify' });
  }
  return result(next, { writes, decisions });
}

/** What a newer deploy interrupts: a guard without a verdict, a hold, or a rollback in progress. */
function endCurrentWork(state: TargetState, newVersion: number): { decisions: Decision[]; writes: Write[] } {
  if (state.phase === 'guarding' && state.guard) {
    const version = state.guard.release.version;
    return {
      writes: [guardEndVerdict(state.guard, 'unknown', `superseded by v${newVersion} before its watch window ended`)],
      decisions: [{ kind: 'guard-superseded', version, by: newVersion }],
    };
  }
  if (state.phase === 'held' || state.phase === 'failing') return { writes: [], decisions: [{ kind: 'hold-superseded', version: newVersion, phase: state.phase }] };
  if ((state.phase === 'rolling-back' || state.phase === 'verifying') && state.rollback) {
    return { writes: [], decisions: [{ kind: 'rollback-superseded', version: newVersion, from: state.rollback.from.version }] };
  }
  return { writes: [], decisions: [] };
}
