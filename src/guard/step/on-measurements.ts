/** Judging a guarded release from its measurements, verifying a rollback, and the windows' ends. */
import type { Write } from '../../domain/decision.ts';
import type { LatencyReadout, Measurement } from '../../domain/measurement.ts';
import { isInProgress, type ErrorRateSnapshot, type TargetState, type Verdict } from '../../domain/target-state.ts';
import { closeIncident, enter, guardEndVerdict, seconds } from './common.ts';
import { MACHINES_CHECK, result, unchanged, type StepContext, type StepResult } from './context.ts';
import { endErrorRateGuard } from './on-error-rate.ts';
import { decideFailure, holdOnConflict } from './on-rollback.ts';
import { allPassing, failingProbes, foldRound } from './tally.ts';

/** Consecutive failed rounds that fail a release, per check: smoke tests retry inside, so one is decisive. */
export function thresholdFor(ctx: StepContext): (check: string) => number {
  return (check) => {
    const probe = ctx.target.probes.find((p) => p.name === check);
    return probe?.failureThreshold ?? (probe?.type === 'smoke' ? 1 : ctx.target.guard.failureThreshold);
  };
}

/** Checks that verify a rollback: every probe but smoke tests (minutes long), and the machines' image. */
export function verifyChecks(ctx: StepContext): string[] {
  return [...ctx.target.probes.filter((p) => p.type !== 'smoke').map((p) => p.name), MACHINES_CHECK];
}

export function onProbeRound(state: TargetState, measurements: readonly Measurement[], ctx: StepContext, platformHealthy?: boolean): StepResult {
  if (state.phase === 'guarding' && state.guard) {
    const tallies = foldRound(state.guard.tallies, measurements);
    const next: TargetState = { ...state, guard: { ...state.guard, tallies } };
    const failing = failingProbes(tallies, thresholdFor(ctx));
    if (failing.length === 0) return result(next);
    // No answer from the app, while the watchdog's own network works and Fly's checks pass on
    // every machine: a partition between the watchdog and the app explains it as well as a bad
    // release does. A human decides; the watchdog does not roll back on evidence that disagrees.
    const unanswered = failing.every((f) => measurements.find((m) => m.check === f.check)?.phase === 'error');
    if (unanswered && platformHealthy === true) return holdOnConflict(next, state.guard.release, failing.map((f) => f.line).join('; '), ctx);
    return decideFailure(next, state.guard.release, failing.map((f) => f.line).join('; '), measurements, ctx);
  }
  if (state.phase === 'verifying' && state.rollback) {
    const tallies = foldRound(state.rollback.tallies, measurements);
    const next: TargetState = { ...state, rollback: { ...state.rollback, tallies } };
    const successes = ctx.target.verify.successes;
    if (!allPassing(tallies, verifyChecks(ctx), successes)) return result(next);
    const rb = state.rollback;
    const reason = `rolled back from v${rb.from.version} to the image of v${rb.to.version}; all probes passed and every machine ran the image ${successes}× in a row`;
    const writes: Write[] = rb.rollbackVersion === undefined ? [] : [{ type: 'set-verdict', version: rb.rollbackVersion, verdict: 'good', reason: 'rollback verified healthy' }];
    const closed = closeIncident(next, 'rolled-back', ctx, true);
    const errorRate = ctx.target.errorRate ? { errorRate: endErrorRateGuard(state.errorRate, false, ctx.now, ctx.target.errorRate) } : {};
    return result(enter(closed.state, 'rolled-back', ctx.now, { reason, ...errorRate }), {
      writes: [...writes, ...(closed.writes ?? [])],
      effects: closed.effects ?? [],
      decisions: [{ kind: 'rollback-verified', from: rb.from, to: rb.to, rollbackVersion: rb.rollbackVersion ?? null, trigger: rb.trigger, successes }],
    });
  }
  return unchanged(state);
}

/** The end of a watch window (verdict good) or of a verification (rollback failed). */
export function onWindowTick(state: TargetState, ctx: StepContext): StepResult {
  if (state.phase === 'guarding' && state.guard && ctx.now >= state.guard.endsAt) return endGuard(state, state.guard, ctx);
  if (state.phase === 'verifying' && state.rollback?.verifyEndsAt !== undefined && ctx.now >= state.rollback.verifyEndsAt) {
    const rb = state.rollback;
    const failing = Object.entries(rb.tallies)
      .map(([name, t]) => `${name}: ${t.lastDetail ?? 'no result'}`)
      .join('; ');
    const reason = `rollback to v${rb.to.version}'s image did not verify within ${seconds(ctx.target.verify.timeout)} (${failing || 'no probe results'})`;
    const writes: Write[] = rb.rollbackVersion === undefined ? [] : [{ type: 'set-verdict', version: rb.rollbackVersion, verdict: 'bad', reason: 'rollback did not verify' }];
    return result(enter(state, 'rollback-failed', ctx.now, { reason }), {
      writes,
      decisions: [{ kind: 'rollback-failed', cause: 'verification', reason, from: rb.from, to: rb.to, tallies: rb.tallies }],
    });
  }
  return unchanged(state);
}

function endGuard(state: TargetState, g: NonNullable<TargetState['guard']>, ctx: StepContext): StepResult {
  const config = ctx.target.errorRate;
  const er = config ? state.errorRate?.last : undefined;
  const undecided = config !== undefined && (er === undefined || er.phase !== 'successful');
  const maxEnd = g.startedAt + Math.max(config?.maxWindow ?? 0, ctx.target.guard.watchWindow);
  // Too little evidence is its own verdict: keep watching (probes go on meanwhile) up to maxWindow.
  if (undecided && ctx.now < maxEnd) {
    if (state.errorRate?.extended) return unchanged(state);
    const detail = er ? er.detail : 'no error-rate reading yet';
    return result(
      { ...state, errorRate: { ...state.errorRate!, extended: true } },
      { decisions: [{ kind: 'insufficient-evidence', version: g.release.version, detail, guardUntilMs: maxEnd - g.startedAt }] },
    );
  }
  const version = g.release.version;
  const window = seconds(ctx.now - g.startedAt);
  const finished = !isInProgress(g.release.status) && g.release.status === 'complete';
  const missing = finished ? missingEvidence(g, er, undecided, ctx) : undefined;
  const passed = finished && missing === undefined;
  const errorRate = config ? { errorRate: endErrorRateGuard(state.errorRate, passed, ctx.now, config) } : {};
  const next = enter(state, 'stable', ctx.now, { guard: undefined, reason: undefined, ...errorRate });
  if (missing !== undefined) {
    const reason = `no failure in the ${window} window, but ${missing}`;
    return result(next, {
      writes: [guardEndVerdict(g, 'unproven', reason)],
      decisions: [{ kind: 'guard-unproven', version, reason, tallies: g.tallies, ...(g.operatorVerdict && { operatorVerdict: g.operatorVerdict }) }],
    });
  }
  const verdict: Extract<Verdict, 'good' | 'unknown'> = passed ? 'good' : 'unknown';
  const reason = passed
    ? `healthy for the whole ${window} watch window${undecided ? `; error rate not required (${er?.detail ?? 'no reading'})` : ''}`
    : `probes passed, but the platform reported the release ${g.release.status}; not eligible as a rollback target`;
  return result(next, {
    writes: [guardEndVerdict(g, verdict, reason)],
    decisions: [{ kind: 'guard-passed', version, verdict, reason, tallies: g.tallies, ...(g.operatorVerdict && { operatorVerdict: g.operatorVerdict }) }],
  });
}

/**
 * What a release lacks to be called good, in words, or undefined when the evidence suffices:
 * every probe answered `minConclusiveRounds` rounds (a probe that never got a conclusive answer,
 * e.g. while the watchdog's own network was down, proves nothing), and where an error rate is
 * configured it was judged within bounds on enough traffic (unless the target opts out with
 * `requireTraffic: false`; a rate that looked too high is never waved through).
 */
function missingEvidence(g: NonNullable<TargetState['guard']>, er: ErrorRateSnapshot | undefined, undecided: boolean, ctx: StepContext): string | undefined {
  const needed = ctx.target.guard.minConclusiveRounds;
  const short = ctx.target.probes.filter((p) => p.type !== 'smoke' && (g.tallies[p.name]?.rounds ?? 0) < needed);
  if (short.length > 0) {
    const counts = short.map((p) => `${p.name} ${g.tallies[p.name]?.rounds ?? 0}`).join(', ');
    return `too few conclusive probe rounds (${counts}; ${needed} needed)${short.some((p) => g.tallies[p.name]?.lastDetail) ? `, last: ${g.tallies[short[0]!.name]?.lastDetail ?? ''}` : ''}`;
  }
  if (!undecided) return undefined;
  const lookedHigh = er?.reason === 'above-threshold-unconfirmed';
  if (!lookedHigh && ctx.target.errorRate?.requireTraffic === false) return undefined;
  return `the error rate was never judged within bounds (${er?.detail ?? 'no reading'})`;
}

/** The measurement name of latency readings. */
export const LATENCY_CHECK = 'latency';

/**
 * Latency: while stable the reading becomes the reference; while guarding it is compared with the
 * ceiling and with reference × tolerance, and counts like a probe (consecutive failed rounds).
 */
export function onLatency(state: TargetState, readout: LatencyReadout, ctx: StepContext): StepResult {
  const config = ctx.target.latency;
  if (!config) return unchanged(state);
  if (state.phase === 'stable' || state.phase === 'idle' || state.phase === 'rolled-back') {
    return readout.ok ? result({ ...state, latencyBaseline: readout.seconds }) : unchanged(state);
  }
  if (state.phase !== 'guarding') return unchanged(state);
  const limits = [
    ...(config.ceiling !== undefined ? [config.ceiling / 1000] : []),
    ...(config.tolerance !== undefined && state.latencyBaseline !== undefined ? [state.latencyBaseline * config.tolerance] : []),
  ];
  const limit = limits.length > 0 ? Math.min(...limits) : undefined;
  const m: Measurement = !readout.ok
    ? { check: LATENCY_CHECK, phase: readout.phase, at: readout.at, durationMs: 0, detail: readout.detail }
    : limit === undefined
      ? { check: LATENCY_CHECK, phase: 'inconclusive', at: readout.at, durationMs: 0, detail: `${readout.seconds.toFixed(3)}s; no reference latency yet` }
      : {
          check: LATENCY_CHECK,
          phase: readout.seconds > limit ? 'failed' : 'successful',
          at: readout.at,
          durationMs: 0,
          detail: `${readout.seconds.toFixed(3)}s (limit ${limit.toFixed(3)}s)`,
          values: { seconds: readout.seconds, limit, ...(state.latencyBaseline !== undefined && { baseline: state.latencyBaseline }) },
        };
  // Only a real answer counts: an unreadable latency source never fails a release.
  return onProbeRound(state, [m.phase === 'error' ? { ...m, phase: 'inconclusive' } : m], ctx);
}
