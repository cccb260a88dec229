import type { Measurement } from '../../domain/measurement.ts';
import type { ProbeTally } from '../../domain/target-state.ts';

const EMPTY: ProbeTally = { rounds: 0, failures: 0, consecutiveFailures: 0, consecutiveSuccesses: 0 };

/**
 * Folds one round of measurements into the per-probe tallies (a new object; inputs untouched).
 * `failed` and `error` both count against the probe here: the HTTP probe reports a refused or
 * timed-out connection to the app as `error`, and a dead app must still fail its guard.
 * `inconclusive` neither passes nor fails, and breaks no streak.
 */
export function foldRound(tallies: Record<string, ProbeTally>, round: readonly Measurement[]): Record<string, ProbeTally> {
  const next = { ...tallies };
  for (const m of round) {
    const t = { ...(next[m.check] ?? EMPTY) };
    if (m.phase === 'inconclusive') {
      t.lastDetail = m.detail;
      next[m.check] = t;
      continue;
    }
    t.rounds += 1;
    const ok = m.phase === 'successful';
    if (!ok && t.consecutiveFailures === 0) t.streakStartedAt = m.at;
    if (ok) delete t.streakStartedAt;
    t.consecutiveFailures = ok ? 0 : t.consecutiveFailures + 1;
    t.consecutiveSuccesses = ok ? t.consecutiveSuccesses + 1 : 0;
    if (!ok) t.failures += 1;
    t.lastDetail = m.detail;
    next[m.check] = t;
  }
  return next;
}

/** The probes whose consecutive failures reached their threshold, each with a line saying so. */
export function failingProbes(tallies: Record<string, ProbeTally>, threshold: number | ((check: string) => number)): { check: string; line: string }[] {
  const limit = typeof threshold === 'number' ? () => threshold : threshold;
  return Object.entries(tallies)
    .filter(([name, t]) => t.consecutiveFailures >= limit(name))
    .map(([name, t]) => ({ check: name, line: `${name} failed ${t.consecutiveFailures}× in a row (${t.lastDetail ?? 'no detail'})` }));
}

/** True once every named probe has passed `successes` rounds in a row. */
export function allPassing(tallies: Record<string, ProbeTally>, probes: readonly string[], successes: number): boolean {
  return probes.every((p) => (tallies[p]?.consecutiveSuccesses ?? 0) >= successes);
}

/** When the earliest current failure streak began (the start of user-facing impact), if any. */
export function impactStartedAt(tallies: Record<string, ProbeTally>): number | undefined {
  const starts = Object.values(tallies).flatMap((t) => (t.streakStartedAt !== undefined ? [t.streakStartedAt] : []));
  return starts.length > 0 ? Math.min(...starts) : undefined;
}
