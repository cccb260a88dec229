/**
 * When a release poll can skip listing releases (`fly releases`, one flyctl process per target)
 * because the platform's cheap fingerprint (Platform.releaseFingerprint: the app's machines and
 * the release each runs) says nothing went live since the last listing. Skipping is the
 * exception; any doubt lists: no fingerprint, a release still deploying, a rollback under way, a
 * listing too old.
 */
import type { Release } from '../../domain/release.ts';
import type { TargetPhase } from '../../domain/target-state.ts';

/** What the last successful listing saw. */
export interface ReleaseListing {
  /** The fingerprint read just before that listing, if the platform gave one. */
  fingerprint: string | undefined;
  listedAt: number;
  /** Every release had reached a final status (see isSettled). */
  settled: boolean;
}

/** Statuses a release does not leave. Anything else, an unknown status included, may still move. */
const FINAL_STATUSES: ReadonlySet<string> = new Set(['complete', 'failed', 'interrupted']);

/**
 * True when no release can still change status on its own. A deploy in progress moves from
 * `running` to `complete` or `failed` without touching the machines again, so while one is
 * listed, every poll lists.
 */
export function isSettled(releases: readonly Release[]): boolean {
  return releases.every((r) => FINAL_STATUSES.has(r.status));
}

/**
 * Phases in which every poll lists: a rollback on its way out. Recovering a rollback deploy that
 * a crash interrupted (re-issuing it when no release of it appears) and recognising the rollback's
 * own release both read the release list on each poll, not only when the machines change.
 */
const ALWAYS_LIST_PHASES: ReadonlySet<TargetPhase> = new Set(['failing', 'rolling-back', 'verifying']);

export interface ListingQuestion {
  last: ReleaseListing | undefined;
  /** The fingerprint just read, undefined when the platform has none or it could not be read. */
  fingerprint: string | undefined;
  phase: TargetPhase;
  now: number;
  /**
   * How long a listing is trusted, which also catches what machines never show (a release whose
   * release command failed before any machine was updated).
   */
  relistAfterMs: number;
}

/** Whether this poll must list releases. */
export function mustListReleases({ last, fingerprint, phase, now, relistAfterMs }: ListingQuestion): boolean {
  if (!last || fingerprint === undefined || last.fingerprint === undefined) return true;
  if (ALWAYS_LIST_PHASES.has(phase) || !last.settled || now - last.listedAt >= relistAfterMs) return true;
  return fingerprint !== last.fingerprint;
}
