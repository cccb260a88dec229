/**
 * The ceiling with persistence: a release fails without statistics only when every look over at
 * least `ceilingPersistenceMs` had a rate above the ceiling (and the run saw minRequestsForCeiling
 * requests). One look above it — a 10-second dependency blip — is not a broken release.
 * A look without requests neither extends nor breaks a run.
 */
import type { CeilingRun } from '../domain/error-rate-evidence.ts';

export const NO_CEILING_RUN: Readonly<CeilingRun> = Object.freeze({ since: null, requests: 0, errors: 0 });

export interface CeilingLook {
  /** When the look's interval began (the previous look) and ended. */
  from: number;
  at: number;
  requests: number;
  errors: number;
}

export interface CeilingRule {
  ceiling: number;
  ceilingPersistenceMs: number;
  minRequestsForCeiling: number;
}

/** The run after this look. */
export function advanceCeilingRun(run: CeilingRun, look: CeilingLook, rule: CeilingRule): CeilingRun {
  if (look.requests === 0) return run;
  if (look.errors / look.requests <= rule.ceiling) return NO_CEILING_RUN;
  return { since: run.since ?? look.from, requests: run.requests + look.requests, errors: run.errors + look.errors };
}

/** How long the run has lasted by `at` (0 without a run). */
export const ceilingRunMs = (run: CeilingRun, at: number): number => (run.since === null ? 0 : Math.max(0, at - run.since));

/** The run has lasted long enough, over enough requests, to fail the release. */
export function ceilingBreached(run: CeilingRun, at: number, rule: CeilingRule): boolean {
  return run.since !== null && ceilingRunMs(run, at) >= rule.ceilingPersistenceMs && run.requests >= rule.minRequestsForCeiling;
}
