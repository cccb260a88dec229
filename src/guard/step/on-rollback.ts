/**
 * From "this release is bad" to a verified rollback: the decision, the safety rails, the deploy and
 * its retries, and recovery after a restart.
 */
import type { Decision } from '../../domain/decision.ts';
import { incidentId, openIncident } from '../../domain/incident.ts';
import type { Measurement } from '../../domain/measurement.ts';
import { isInProgress, type ReleaseRef, type ReleaseView, type RollbackPlan, type RollbackProgress, type TargetState } from '../../domain/target-state.ts';
import { chooseRollbackRelease } from './choose-release.ts';
import { enter, ref } from './common.ts';
import { result, chain, unchanged, type GuardEvent, type StepContext, type StepResult } from './context.ts';
import { checkRails, deployRetryDelay } from './rails.ts';
import { rollbackImage } from './rollback-image.ts';
import { impactStartedAt } from './tally.ts';

/** Automatic-rollback timestamps older than this are forgotten (longer than any sane cap period). */
const AUTO_ROLLBACK_MEMORY_MS = 24 * 3_600_000;

/** Marks `failing` bad, opens its incident and records the decision; the rails run on the `proceed` that follows. */
export function decideFailure(state: TargetState, failing: ReleaseRef, why: string, evidence: readonly Measurement[], ctx: StepContext): StepResult {
  // A config-only release: the image is the one before it, so there is nothing to roll back to
  // and nothing to judge bad (a later deploy of that image would otherwise be refused).
  const configOnly = state.guard?.configOnly === true;
  const to = configOnly ? undefined : chooseRollbackRelease(ctx.history, failing);
  const plan: RollbackPlan = { from: ref(failing), ...(to && { to: ref(to) }), reason: why, decidedAt: ctx.now, trigger: 'automatic', ...(configOnly && { configOnly }) };
  const id = incidentId(state.target, failing.version, ctx.now);
  const impactStart = (state.guard && impactStartedAt(state.guard.tallies)) ?? ctx.now;
  const failed = evidence.filter((m) => m.phase !== 'successful');
  const incident = openIncident({
    id,
    target: ctx.target.name,
    environment: ctx.target.environment,
    version: failing.version,
    imageRef: failing.imageRef,
    reason: why,
    openedAt: ctx.now,
    impactStartedAt: impactStart,
    evidence: [
      ...(failed.length > 0 ? [{ kind: 'measurements' as const, at: ctx.now, lines: failed.map(describeMeasurement) }] : []),
      // A smoke test's output tail (already masked by the provider) says why better than its exit code.
      ...failed.flatMap((m) => (m.evidence ? [{ kind: 'smoke-output' as const, at: m.at, check: m.check, text: m.evidence }] : [])),
      ...(configOnly ? [{ kind: 'note' as const, at: ctx.now, text: configOnlyAdvice(failing, ctx.target.app) }] : []),
    ],
  });
  const next = enter(state, 'failing', ctx.now, {
    guard: undefined,
    plan,
    reason: why,
    incident: { id, open: true, version: failing.version, reason: why, impactStartedAt: impactStart },
  });
  return result(next, {
    writes: [
      { type: 'open-incident', incident },
      configOnly
        ? { type: 'set-verdict', version: failing.version, verdict: 'unknown', reason: `config-only release failed (${why}); its image was not judged` }
        : { type: 'set-verdict', version: failing.version, verdict: 'bad', reason: why },
    ],
    decisions: [
      {
        kind: 'release-failed',
        version: failing.version,
        imageRef: failing.imageRef,
        reason: why,
        rollbackTo: to?.version ?? null,
        measurements: evidence.map((m) => ({ check: m.check, phase: m.phase, detail: m.detail, ...(m.values && { values: m.values }) })),
        ...(configOnly && { configOnly }),
      },
    ],
    effects: [{ type: 'fetch-logs', incidentId: id }, { type: 'proceed' }],
  });
}

/**
 * The probes got no answer, yet Fly's checks pass on every machine and the watchdog's own network
 * works: hold for a human, with an incident (users may be hurt), without judging the release.
 */
export function holdOnConflict(state: TargetState, release: ReleaseRef, why: string, ctx: StepContext): StepResult {
  const to = chooseRollbackRelease(ctx.history, release);
  const plan: RollbackPlan = { from: ref(release), ...(to && { to: ref(to) }), reason: why, decidedAt: ctx.now, trigger: 'automatic' };
  const rail = `the app does not answer the watchdog (${why}), but Fly's health checks pass on every machine and the watchdog's own network works: a network partition between the watchdog and the app is as likely as a bad release, so it will not roll back on its own; approve to roll back, or veto`;
  const reason = `v${release.version}: ${rail}`;
  const id = incidentId(state.target, release.version, ctx.now);
  const impactStart = (state.guard && impactStartedAt(state.guard.tallies)) ?? ctx.now;
  const incident = openIncident({
    id,
    target: ctx.target.name,
    environment: ctx.target.environment,
    version: release.version,
    imageRef: release.imageRef,
    reason: rail,
    openedAt: ctx.now,
    impactStartedAt: impactStart,
    evidence: [{ kind: 'note', at: ctx.now, text: rail }],
  });
  return result(
    enter(state, 'held', ctx.now, { guard: undefined, plan, hold: { kind: 'evidence-conflict', reason: rail }, reason, incident: { id, open: true, version: release.version, reason: rail, impactStartedAt: impactStart } }),
    {
      writes: [{ type: 'open-incident', incident }],
      decisions: [{ kind: 'rollback-held', hold: 'evidence-conflict', reason, from: plan.from, to: plan.to ?? null }],
      effects: [{ type: 'fetch-logs', incidentId: id }],
    },
  );
}

/** What the on-call engineer should do about a failed config-only release (kept with the incident). */
function configOnlyAdvice(release: ReleaseRef, app: string): string {
  return (
    `v${release.version} runs the same image as the release before it: a config-only release, most likely \`fly secrets set/unset/import/deploy\`. ` +
    `Redeploying an earlier image keeps today's secrets, so the watchdog rolled nothing back. ` +
    `Find the change (\`fly releases --app ${app}\`, \`fly secrets list --app ${app}\`), revert or fix it with \`fly secrets set/unset … --app ${app}\` ` +
    `(a new release the watchdog guards), then veto this hold.`
  );
}

const describeMeasurement = (m: Measurement) => `${new Date(m.at).toISOString()} ${m.check}: ${m.phase} — ${m.detail}${m.values ? ` ${JSON.stringify(m.values)}` : ''}`;

/** The rails decide: issue the rollback now, hand it to the group, or hold it for a human (saying why). */
export function onProceed(state: TargetState, ctx: StepContext): StepResult {
  if (state.phase !== 'failing' || !state.plan) return unchanged(state);
  const plan = state.plan;
  const recentAutomatic = state.autoRollbacks.filter((t) => ctx.now - t < AUTO_ROLLBACK_MEMORY_MS);
  if (plan.configOnly) {
    const rail = `config-only release v${plan.from.version} failed; redeploying an image cannot undo a secrets change: revert or fix the change, then veto`;
    const reason = `v${plan.from.version} failed (${plan.reason}); held: ${rail}`;
    return result(enter(state, 'held', ctx.now, { hold: { kind: 'config-change', reason: rail }, reason, autoRollbacks: recentAutomatic }), {
      decisions: [{ kind: 'rollback-held', hold: 'config-change', reason, from: plan.from, to: null }],
    });
  }
  const rails = checkRails({
    policy: ctx.policy,
    now: ctx.now,
    recentAutomatic,
    hasTarget: plan.to !== undefined,
    ...(plan.to && { migrationCrossing: ctx.migrationCrossing?.(plan.from, plan.to) }),
  });
  if (!rails.proceed) {
    const would = plan.to ? ` (would roll back v${plan.from.version} to the image of v${plan.to.version})` : '';
    const reason = `v${plan.from.version} failed (${plan.reason}); held: ${rails.reason}${would}`;
    return result(enter(state, 'held', ctx.now, { hold: { kind: rails.hold, reason: rails.reason }, reason, autoRollbacks: recentAutomatic }), {
      decisions: [{ kind: 'rollback-held', hold: rails.hold, reason, from: plan.from, to: plan.to ?? null }],
    });
  }
  if (ctx.group) {
    // The group's members roll back together, in order: the coordinator takes it from here.
    const reason = `v${plan.from.version} failed (${plan.reason}); rolling back with group ${ctx.group}`;
    return result(
      enter(state, 'held', ctx.now, { hold: { kind: 'group', reason: `rolling back with group ${ctx.group}` }, reason, autoRollbacks: [...recentAutomatic, ctx.now] }),
      {
        decisions: [{ kind: 'group-rollback-requested', group: ctx.group, from: plan.from, reason }],
        effects: [{ type: 'coordinate-group', group: ctx.group, from: plan.from }],
      },
    );
  }
  return startRollback({ ...state, autoRollbacks: [...recentAutomatic, ctx.now] }, plan as RollbackPlan & { to: ReleaseRef }, ctx);
}

/** Enters rolling-back with the deploy marked issued, and asks for the deploy. */
export function startRollback(state: TargetState, plan: RollbackPlan & { to: ReleaseRef }, ctx: StepContext, tags: { group?: string; forced?: boolean } = {}): StepResult {
  const rollback: RollbackProgress = {
    from: plan.from,
    to: plan.to,
    reason: plan.reason,
    decidedAt: plan.decidedAt,
    trigger: plan.trigger,
    ...(plan.requestedBy && { requestedBy: plan.requestedBy }),
    issuedAt: ctx.now,
    attempts: 1,
    tallies: {},
  };
  return result(enter(state, 'rolling-back', ctx.now, { plan: undefined, hold: undefined, rollback, reason: plan.reason }), {
    decisions: [
      {
        kind: 'rollback-started',
        from: plan.from,
        to: plan.to,
        trigger: plan.trigger,
        ...(ctx.target.rollback.strategy && { strategy: ctx.target.rollback.strategy }),
        ...(plan.requestedBy && { requestedBy: plan.requestedBy }),
        ...(tags.group && { group: tags.group }),
        ...(tags.forced && { forced: true }),
      },
    ],
    effects: [{ type: 'deploy', imageRef: rollbackImage(plan.to, ctx.history), toVersion: plan.to.version }],
  });
}

export function onDeployResult(state: TargetState, outcome: Extract<GuardEvent, { type: 'deploy-result' }>, ctx: StepContext): StepResult {
  if (state.phase !== 'rolling-back' || !state.rollback) return unchanged(state);
  const rb = state.rollback;
  if (!outcome.ok) {
    // flyctl failed, hit its deadline or was killed after Fly created the release, and Fly goes on
    // (the listing taken right after showed it rolling out): wait for it; deploying again would
    // interrupt it. Its outcome arrives with a later listing (recoverInterruptedDeploy).
    if (rb.rollbackVersion !== undefined) {
      return result(
        { ...state, rollback: { ...rb, issuedAt: undefined, lastError: outcome.error } },
        { decisions: [{ kind: 'rollback-deploy-detached', version: rb.rollbackVersion, error: outcome.error }] },
      );
    }
    return attemptFailed(state, rb, outcome.error, ctx);
  }
  const rollbackVersion = rb.rollbackVersion ?? outcome.version;
  const next = enter(state, 'verifying', ctx.now, {
    rollback: { ...rb, rollbackVersion, verifyEndsAt: ctx.now + ctx.target.verify.timeout, tallies: {}, retryAt: undefined },
    lastSeenVersion: Math.max(state.lastSeenVersion, rollbackVersion ?? 0),
  });
  return result(next, {
    writes: rb.rollbackVersion === undefined && outcome.version !== undefined ? [{ type: 'set-origin', version: outcome.version, origin: 'rollback' }] : [],
    decisions: [{ kind: 'rollback-deployed', rollbackVersion: rollbackVersion ?? null, verifyMs: ctx.target.verify.timeout }],
  });
}

/** An attempt that failed: try again after a backoff (up to deployAttempts), else the rollback failed. */
function attemptFailed(state: TargetState, rb: RollbackProgress, error: string, ctx: StepContext): StepResult {
  const maxAttempts = ctx.target.rollback.deployAttempts;
  if (rb.attempts < maxAttempts) {
    const delay = deployRetryDelay(rb.attempts, ctx.target.rollback.retryBackoff, ctx.target.rollback.retryBackoffMax);
    return result(
      { ...state, rollback: { ...rb, issuedAt: undefined, retryAt: ctx.now + delay, listedAfterFailure: false, lastError: error } },
      { decisions: [{ kind: 'rollback-deploy-retry', attempt: rb.attempts, maxAttempts, error, retryInMs: delay }] },
    );
  }
  const reason = `rollback deploy of v${rb.to.version}'s image failed ${rb.attempts}× (last: ${error})`;
  return result(enter(state, 'rollback-failed', ctx.now, { reason, rollback: { ...rb, lastError: error } }), {
    decisions: [{ kind: 'rollback-failed', cause: 'deploy', reason, from: rb.from, to: rb.to }],
  });
}

/**
 * A failed rollback deploy whose backoff has elapsed is issued again: never while one is out, and
 * only once a release listing taken after the failure showed no release of ours still rolling out.
 */
export function onRetryTick(state: TargetState, ctx: StepContext): StepResult {
  const rb = state.rollback;
  if (state.phase === 'failing') return onProceed(state, ctx); // a restart between decision and rails
  if (state.phase !== 'rolling-back' || !rb || rb.retryAt === undefined || ctx.deployInFlight || ctx.now < rb.retryAt) return unchanged(state);
  if (rb.listedAfterFailure === false || rb.rollbackVersion !== undefined) return unchanged(state);
  return reissue(state, rb, { kind: 'rollback-reissued', attempt: rb.attempts + 1, after: 'backoff' }, ctx);
}

function reissue(state: TargetState, rb: RollbackProgress, why: Extract<Decision, { kind: 'rollback-reissued' }>, ctx: StepContext): StepResult {
  return result(
    { ...state, rollback: { ...rb, issuedAt: ctx.now, retryAt: undefined, attempts: rb.attempts + 1 } },
    {
      decisions: [why],
      effects: [{ type: 'deploy', imageRef: rollbackImage(rb.to, ctx.history), toVersion: rb.to.version }],
    },
  );
}

/**
 * After a restart the rollback deploy we issued may have finished, be running, or never have reached
 * the platform. The release list tells which; the deploy is only issued again when no release with
 * our image has appeared within `reissueAfter`, so a restart never doubles a deploy that got through.
 */
export function recoverInterruptedDeploy(state: TargetState, releases: readonly ReleaseView[], ctx: StepContext): StepResult {
  const rb = state.rollback!;
  if (rb.rollbackVersion !== undefined) {
    const mine = releases.find((r) => r.version === rb.rollbackVersion);
    if (!mine || isInProgress(mine.status)) return result(state);
    const recovered = { decisions: [{ kind: 'rollback-recovered' as const, version: mine.version, status: mine.status }] };
    if (mine.status === 'complete') return chain(recovered, onDeployResult(state, { type: 'deploy-result', ok: true, version: mine.version }, ctx));
    // It ended failed or interrupted: that was an attempt, and the next one may be adopted.
    const attempt = { ...rb, rollbackVersion: undefined, attemptVersions: [...(rb.attemptVersions ?? []), mine.version] };
    return chain(recovered, attemptFailed({ ...state, rollback: attempt }, attempt, `release v${mine.version} ended ${mine.status}`, ctx));
  }
  // Waiting out a backoff: this listing shows nothing of ours rolling out, so the tick may re-issue.
  if (rb.retryAt !== undefined) return rb.listedAfterFailure === false ? result({ ...state, rollback: { ...rb, listedAfterFailure: true } }) : result(state);
  const issuedAt = rb.issuedAt ?? rb.decidedAt;
  if (ctx.now - issuedAt < ctx.target.rollback.reissueAfter) return result(state);
  if (rb.attempts >= ctx.target.rollback.deployAttempts) {
    const reason = `rollback deploy of v${rb.to.version}'s image never produced a release after ${rb.attempts} attempts`;
    return result(enter(state, 'rollback-failed', ctx.now, { reason }), { decisions: [{ kind: 'rollback-failed', cause: 'no-release', reason, from: rb.from, to: rb.to }] });
  }
  return reissue(state, rb, { kind: 'rollback-reissued', attempt: rb.attempts + 1, after: 'no-release', waitedMs: ctx.now - issuedAt }, ctx);
}
