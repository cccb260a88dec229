/**
 * From "this release is bad" to a verified rollback: the decision, the safety rails, the deploy and
 * its retries, recovery after a restart, and the operator's approve / veto / manual rollback.
 */
import type { Measurement } from '../domain/measurement.ts';
import { chooseRollbackRelease } from './choose-release.ts';
import { checkRails, deployRetryDelay } from './policy.ts';
import { incidentId } from '../domain/incident.ts';
import { BUSY_PHASES, closeIncident, enter, record, ref, seconds } from './step-common.ts';
import { impactStartedAt } from './tally.ts';
import { isInProgress, type ReleaseRef, type ReleaseView, type RollbackPlan, type TargetState } from '../domain/target-state.ts';
import type { GuardAction, GuardEvent, StepContext, StepResult } from './step.ts';

/** Automatic-rollback timestamps older than this are forgotten (longer than any sane cap period). */
const AUTO_ROLLBACK_MEMORY_MS = 24 * 3_600_000;

const noop = (state: TargetState): StepResult => ({ state, actions: [] });

/** Marks `failing` bad and records the decision; the rails run on the `proceed` that follows. */
export function decideFailure(
  state: TargetState,
  failing: ReleaseRef,
  why: string,
  evidence: readonly Measurement[],
  ctx: StepContext,
): StepResult {
  const to = chooseRollbackRelease(ctx.history, failing);
  const plan: RollbackPlan = { from: ref(failing), ...(to && { to: ref(to) }), reason: why, decidedAt: ctx.now, trigger: 'automatic' };
  const id = incidentId(state.target, failing.version, ctx.now);
  const evidenceLines = describeEvidence(failedOnly(evidence));
  const actions: GuardAction[] = [
    {
      type: 'open-incident',
      id,
      version: failing.version,
      imageRef: failing.imageRef,
      reason: why,
      impactStartedAt: (state.guard && impactStartedAt(state.guard.tallies)) ?? ctx.now,
      evidence: evidenceLines,
    },
    { type: 'set-verdict', version: failing.version, verdict: 'bad', reason: why },
    record('release-failed', 'warn', `v${failing.version} failed its guard: ${why}`, {
      version: failing.version,
      imageRef: failing.imageRef,
      rollbackTo: to?.version ?? null,
      measurements: evidence.map((m) => ({ check: m.check, phase: m.phase, detail: m.detail, ...(m.values && { values: m.values }) })),
    }),
    { type: 'proceed' },
  ];
  return { state: enter(state, 'failing', ctx.now, { guard: undefined, plan, reason: why, incident: { id, open: true } }), actions };
}

/** The measurements that were not successful, one line each, for the incident's evidence. */
const failedOnly = (ms: readonly Measurement[]) => ms.filter((m) => m.phase !== 'successful');
const describeEvidence = (ms: readonly Measurement[]) =>
  ms.map((m) => `${new Date(m.at).toISOString()} ${m.check}: ${m.phase} — ${m.detail}${m.values ? ` ${JSON.stringify(m.values)}` : ''}`);

/** The rails decide: issue the rollback now, or hold it for a human (saying why). */
export function onProceed(state: TargetState, ctx: StepContext): StepResult {
  if (state.phase !== 'failing' || !state.plan) return noop(state);
  const plan = state.plan;
  const recentAutomatic = state.autoRollbacks.filter((t) => ctx.now - t < AUTO_ROLLBACK_MEMORY_MS);
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
    return {
      state: enter(state, 'held', ctx.now, { hold: { kind: rails.hold, reason: rails.reason }, reason, autoRollbacks: recentAutomatic }),
      actions: [record('rollback-held', rails.hold === 'dry-run' ? 'warn' : 'error', reason, { hold: rails.hold, from: plan.from, to: plan.to ?? null })],
    };
  }
  if (ctx.group) {
    // The group's members roll back together, in order: the coordinator takes it from here.
    const reason = `v${plan.from.version} failed (${plan.reason}); rolling back with group ${ctx.group}`;
    return {
      state: enter(state, 'held', ctx.now, { hold: { kind: 'group', reason: `rolling back with group ${ctx.group}` }, reason, autoRollbacks: [...recentAutomatic, ctx.now] }),
      actions: [record('group-rollback-requested', 'warn', reason, { group: ctx.group, from: plan.from })],
    };
  }
  return startRollback({ ...state, autoRollbacks: [...recentAutomatic, ctx.now] }, plan as RollbackPlan & { to: ReleaseRef }, ctx);
}

/** Enters rolling-back with the deploy marked issued, and emits the deploy. */
function startRollback(state: TargetState, plan: RollbackPlan & { to: ReleaseRef }, ctx: StepContext): StepResult {
  const rollback = {
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
  const by = plan.requestedBy ? ` (by ${plan.requestedBy})` : '';
  return {
    state: enter(state, 'rolling-back', ctx.now, { plan: undefined, hold: undefined, rollback, reason: plan.reason }),
    actions: [
      record('rollback-started', 'warn', `rolling back v${plan.from.version} to the image of v${plan.to.version}${by}`, {
        from: plan.from,
        to: plan.to,
        trigger: plan.trigger,
        strategy: ctx.target.rollback.strategy,
      }),
      { type: 'deploy', imageRef: plan.to.imageRef, toVersion: plan.to.version },
    ],
  };
}

export function onDeployResult(state: TargetState, result: Extract<GuardEvent, { type: 'deploy-result' }>, ctx: StepContext): StepResult {
  if (state.phase !== 'rolling-back' || !state.rollback) return noop(state);
  const rb = state.rollback;
  if (!result.ok) {
    const maxAttempts = ctx.target.rollback.deployAttempts;
    if (rb.attempts < maxAttempts) {
      const delay = deployRetryDelay(rb.attempts, ctx.target.rollback.retryBackoff, ctx.target.rollback.retryBackoffMax);
      return {
        state: { ...state, rollback: { ...rb, issuedAt: undefined, retryAt: ctx.now + delay, lastError: result.error } },
        actions: [record('rollback-deploy-retry', 'warn', `rollback deploy attempt ${rb.attempts} of ${maxAttempts} failed (${result.error}); retrying in ${seconds(delay)}`)],
      };
    }
    const reason = `rollback deploy of v${rb.to.version}'s image failed ${rb.attempts}× (last: ${result.error})`;
    return {
      state: enter(state, 'rollback-failed', ctx.now, { reason, rollback: { ...rb, lastError: result.error } }),
      actions: [record('rollback-failed', 'error', reason, { from: rb.from, to: rb.to })],
    };
  }
  const rollbackVersion = rb.rollbackVersion ?? result.version;
  const actions: GuardAction[] = [];
  if (rb.rollbackVersion === undefined && result.version !== undefined) {
    actions.push({ type: 'set-origin', version: result.version, origin: 'rollback' });
  }
  actions.push(record('rollback-deployed', 'info', `rollback deploy finished; verifying for up to ${seconds(ctx.target.verify.timeout)}`, { rollbackVersion }));
  const next = enter(state, 'verifying', ctx.now, {
    rollback: { ...rb, rollbackVersion, verifyEndsAt: ctx.now + ctx.target.verify.timeout, tallies: {}, retryAt: undefined },
    lastSeenVersion: Math.max(state.lastSeenVersion, rollbackVersion ?? 0),
  });
  return { state: next, actions };
}

/** A failed rollback deploy whose backoff has elapsed is issued again (never while one is out). */
export function onRetryTick(state: TargetState, ctx: StepContext): StepResult {
  const rb = state.rollback;
  if (state.phase === 'failing') return onProceed(state, ctx); // a restart between decision and rails
  if (state.phase !== 'rolling-back' || !rb || rb.retryAt === undefined || ctx.deployInFlight || ctx.now < rb.retryAt) return noop(state);
  return reissue(state, `retrying the rollback deploy (attempt ${rb.attempts + 1})`, ctx);
}

function reissue(state: TargetState, message: string, ctx: StepContext): StepResult {
  const rb = state.rollback!;
  const next: TargetState = { ...state, rollback: { ...rb, issuedAt: ctx.now, retryAt: undefined, attempts: rb.attempts + 1 } };
  return {
    state: next,
    actions: [record('rollback-reissued', 'warn', message), { type: 'deploy', imageRef: rb.to.imageRef, toVersion: rb.to.version }],
  };
}

/**
 * After a restart the rollback deploy we issued may have finished, be running, or never have reached
 * the platform. The release list tells which; the deploy is only issued again when no release with
 * our image has appeared within `reissueAfter`, so a restart never doubles a deploy that got through.
 */
export function recoverInterruptedDeploy(state: TargetState, releases: readonly ReleaseView[], ctx: StepContext): StepResult {
  const rb = state.rollback!;
  if (rb.retryAt !== undefined) return noop(state); // waiting out a backoff: the tick re-issues
  if (rb.rollbackVersion !== undefined) {
    const mine = releases.find((r) => r.version === rb.rollbackVersion);
    if (!mine || isInProgress(mine.status)) return noop(state);
    const result: Extract<GuardEvent, { type: 'deploy-result' }> =
      mine.status === 'complete'
        ? { type: 'deploy-result', ok: true, version: mine.version }
        : { type: 'deploy-result', ok: false, error: `release v${mine.version} ended ${mine.status}` };
    const done = onDeployResult(state, result, ctx);
    return { state: done.state, actions: [record('rollback-recovered', 'info', `found the interrupted rollback deploy as v${mine.version} (${mine.status})`), ...done.actions] };
  }
  const issuedAt = rb.issuedAt ?? rb.decidedAt;
  if (ctx.now - issuedAt < ctx.target.rollback.reissueAfter) return noop(state);
  if (rb.attempts >= ctx.target.rollback.deployAttempts) {
    const reason = `rollback deploy of v${rb.to.version}'s image never produced a release after ${rb.attempts} attempts`;
    return { state: enter(state, 'rollback-failed', ctx.now, { reason }), actions: [record('rollback-failed', 'error', reason)] };
  }
  return reissue(state, `no release from the interrupted rollback deploy after ${seconds(ctx.now - issuedAt)}; issuing it again (attempt ${rb.attempts + 1})`, ctx);
}

/** An operator approves a held rollback: it proceeds past every rail (a human decided). */
export function onApprove(state: TargetState, by: string, ctx: StepContext): StepResult {
  if (state.phase !== 'held' || !state.plan?.to) return noop(state);
  const plan = { ...state.plan, to: state.plan.to, requestedBy: by };
  const started = startRollback(state, plan, ctx);
  return { state: started.state, actions: [record('rollback-approved', 'info', `${by} approved the rollback of v${plan.from.version}`), ...started.actions] };
}

/** An operator vetoes a held rollback: nothing is deployed, and nothing automatic happens until a new release. */
export function onVeto(state: TargetState, by: string, ctx: StepContext): StepResult {
  if (state.phase !== 'held') return noop(state);
  const reason = `rollback vetoed by ${by}; no automatic action until a new release`;
  const closed = closeIncident(state, 'vetoed', ctx.now);
  return {
    state: enter(closed.state, 'idle', ctx.now, { plan: undefined, hold: undefined, reason }),
    actions: [record('rollback-vetoed', 'warn', reason, { from: state.plan?.from ?? null }), ...closed.actions],
  };
}

/** An operator asks for a rollback to a chosen release, from any phase without a rollback out. */
export function onManualRollback(state: TargetState, to: ReleaseRef, by: string, ctx: StepContext): StepResult {
  if (BUSY_PHASES.has(state.phase)) return noop(state);
  const current = state.current ?? state.guard?.release;
  if (!current) return noop(state);
  const plan = { from: ref(current), to: ref(to), reason: `manual rollback requested by ${by}`, decidedAt: ctx.now, trigger: 'manual' as const, requestedBy: by };
  return startRollback({ ...state, guard: undefined }, plan, ctx);
}
