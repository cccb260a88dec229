/**
 * Store and engine records shaped for the API: epoch milliseconds become ISO strings, and a
 * target's detail gathers what an operator needs in one answer. Pure functions of their inputs.
 */
import type { TargetSummary } from '../guard/target-summary.ts';
import type { TargetState } from '../domain/target-state.ts';
import type { AuditEntry, ReleaseRecord } from '../store/types.ts';
import type { Controls } from '../domain/policy.ts';
import type { JournalEntry } from '../domain/journal.ts';

const iso = (ms: number) => new Date(ms).toISOString();

export function controlsView(c: Controls | undefined) {
  return {
    ...(c?.paused !== undefined && { paused: c.paused }),
    ...(c?.mode && { mode: c.mode }),
    ...(c?.by && { by: c.by }),
    ...(c?.at !== undefined && { at: iso(c.at) }),
    ...(c?.reason && { reason: c.reason }),
  };
}

/** The release as served: the store's bookkeeping (target, firstSeenAt, verdictAt) stays inside. */
export function releaseView(r: ReleaseRecord) {
  const { target: _target, firstSeenAt: _seen, verdictAt: _at, ...view } = r;
  return view;
}

/** Newest release the watchdog itself judged good after guarding it (not one of its rollbacks). */
export function lastKnownGood(releases: readonly ReleaseRecord[]): ReleaseRecord | undefined {
  return releases.find((r) => r.verdict === 'good' && r.origin === 'deploy');
}

export function targetDetail(summary: TargetSummary, state: TargetState, own: Controls | undefined, releases: readonly ReleaseRecord[]) {
  const rb = state.rollback;
  const current = state.current && releases.find((r) => r.version === state.current?.version);
  const good = lastKnownGood(releases);
  return {
    ...summary,
    controls: controlsView(own),
    ...(state.guard && { guardStartedAt: iso(state.guard.startedAt) }),
    ...(rb && {
      rollbackProgress: {
        from: rb.from,
        to: rb.to,
        reason: rb.reason,
        trigger: rb.trigger,
        ...(rb.requestedBy && { requestedBy: rb.requestedBy }),
        decidedAt: iso(rb.decidedAt),
        ...(rb.issuedAt !== undefined && { issuedAt: iso(rb.issuedAt) }),
        attempts: rb.attempts,
        ...(rb.retryAt !== undefined && { retryAt: iso(rb.retryAt) }),
        ...(rb.lastError && { lastError: rb.lastError }),
        ...(rb.rollbackVersion !== undefined && { rollbackVersion: rb.rollbackVersion }),
        ...(rb.verifyEndsAt !== undefined && { verifyEndsAt: iso(rb.verifyEndsAt) }),
        tallies: rb.tallies,
      },
    }),
    ...(current && { currentRelease: releaseView(current) }),
    ...(good && { lastKnownGood: releaseView(good) }),
  };
}

export function journalView(e: JournalEntry) {
  return {
    ...(e.id !== undefined && { id: e.id }),
    at: iso(e.at),
    kind: e.kind,
    message: e.message,
    ...(e.data && { data: e.data }),
    ...(e.incidentId && { incidentId: e.incidentId }),
  };
}

export function auditView(e: AuditEntry) {
  return { ...e, at: iso(e.at) };
}
