/** Reacting to a fresh release list: our own rollback releases, interrupted deploys, new deploys. */
import type { Decision, Write } from '../../domain/decision.ts';
import { isInProgress, type ReleaseView, type TargetState } from '../../domain/target-state.ts';
import { closeIncident, enter, ref, ROLLBACK_PHASES } from './common.ts';
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
  if (!candidate || isInProgress(candidate.status)) return own;
  // Our deploy is still out; judge the newcomer once it returns (the next list shows it again).
  if (next.phase === 'rolling-back' && ctx.deployInFlight) return own;

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
  const judgedBad = ctx.history.find((r) => r.imageRef === candidate.imageRef && r.verdict === 'bad' && r.version !== candidate.version);
  if (judgedBad) {
    const why = `image already judged bad in v${judgedBad.version}${judgedBad.verdictReason ? ` (${judgedBad.verdictReason})` : ''}`;
    out.decisions.push({ kind: 'known-bad-image', version: candidate.version, imageRef: candidate.imageRef, badVersion: judgedBad.version, why });
    return chain(out, decideFailure(enter(next, 'guarding', ctx.now), ref(candidate), why, [], ctx));
  }

  const window = ctx.target.guard.watchWindow;
  next = enter(next, 'guarding', ctx.now, {
    guard: { release: { ...ref(candidate), status: candidate.status }, startedAt: ctx.now, endsAt: ctx.now + window, tallies: {} },
    ...(ctx.target.errorRate && { errorRate: beginErrorRateGuard(next.errorRate, candidate.createdAt) }),
  });
  out.decisions.push({ kind: 'guard-started', version: candidate.version, imageRef: candidate.imageRef, status: candidate.status, user: candidate.user, windowMs: window });
  if (ctx.target.migrations) out.effects.push({ type: 'read-migration-marker', version: candidate.version });
  return result(next, out);
}

/**
 * Our own rollback release: known by version once the deploy reported it, else as the first release
 * after the failing one that carries the rollback image. It is verified, never guarded.
 */
function markOwnRollbackRelease(state: TargetState, releases: readonly ReleaseView[]): StepResult {
  const rb = state.rollback;
  if (!rb || !ROLLBACK_PHASES.has(state.phase)) return result(state);
  const ours =
    rb.rollbackVersion !== undefined
      ? releases.find((r) => r.version === rb.rollbackVersion)
      : releases.find((r) => r.version > rb.from.version && r.imageRef === rb.to.imageRef && r.version > state.lastSeenVersion);
  if (!ours || ours.origin === 'rollback') return result(state);
  const writes: Write[] = [{ type: 'set-origin', version: ours.version, origin: 'rollback' }];
  // Verification may have ended before this release was first stored: its verdict lands now.
  if (ours.verdict === 'pending' && state.phase === 'rolled-back') {
    writes.push({ type: 'set-verdict', version: ours.version, verdict: 'good', reason: 'rollback verified healthy' });
  }
  if (ours.verdict === 'pending' && state.phase === 'rollback-failed') {
    writes.push({ type: 'set-verdict', version: ours.version, verdict: 'bad', reason: 'rollback did not verify' });
  }
  const next = { ...state, lastSeenVersion: Math.max(state.lastSeenVersion, ours.version), rollback: { ...rb, rollbackVersion: ours.version } };
  return result(next, { writes, decisions: [{ kind: 'rollback-release-seen', version: ours.version, imageRef: ours.imageRef, to: rb.to.version }] });
}

/** What a newer deploy interrupts: a guard without a verdict, a hold, or a rollback in progress. */
function endCurrentWork(state: TargetState, newVersion: number): { decisions: Decision[]; writes: Write[] } {
  if (state.phase === 'guarding' && state.guard) {
    const version = state.guard.release.version;
    return {
      writes: [{ type: 'set-verdict', version, verdict: 'unknown', reason: `superseded by v${newVersion} before its watch window ended` }],
      decisions: [{ kind: 'guard-superseded', version, by: newVersion }],
    };
  }
  if (state.phase === 'held' || state.phase === 'failing') return { writes: [], decisions: [{ kind: 'hold-superseded', version: newVersion, phase: state.phase }] };
  if ((state.phase === 'rolling-back' || state.phase === 'verifying') && state.rollback) {
    return { writes: [], decisions: [{ kind: 'rollback-superseded', version: newVersion, from: state.rollback.from.version }] };
  }
  return { writes: [], decisions: [] };
}
