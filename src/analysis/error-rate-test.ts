/**
 * The error-rate test as a pure state-passing function — the API the guard calls on every reading.
 *
 *   const spec = errorRateTestSpecOf(config);
 *   // While a release is stable (and after a rollback): every reading feeds the remembered baseline.
 *   history = addBaselineReading(history, { at, requests, errors }, policy);
 *   // Guard start: freeze a summary of what ended before the new release was created (the guard
 *   // takes in its creation minute when that is too little: on-error-rate.ts); start a state.
 *   const baseline = summariseBaseline(baselineHistoryUntil(history, releaseCreatedAt), spec);
 *   let state = startErrorRateTest(guardStartedAt);
 *   // Each reading while guarding: the new release's increment since the previous reading.
 *   ({ state, judgment } = stepErrorRateTest(state, { at, requests, errors }, baseline, spec));
 *   // Also record the guard's own readings in a separate history, guardHistory.
 *   // Guard passed: history = mergeBaselineHistories(history, guardHistory, now, policy).
 *   // Rolled back: drop guardHistory; the stable release's history stays the baseline.
 *
 * Inputs: `increment` is what the new release served since the previous reading (summed over its
 * machines, counter resets already handled by counter-accumulator.ts), stamped with the reading's
 * time. `baseline` summarises the remembered baseline (baseline-history.ts, baseline-summary.ts);
 * compute it once per guard. State: plain JSON of a few hundred bytes; persist it with the guard.
 * Output: the next state and a judgment (error-rate-test-judgment.ts). `failed` means roll back;
 * `insufficient-baseline` means this check cannot judge this deploy (the floor is not a baseline).
 *
 * The statistic is a mixture over alternatives p_k > θ and over change points:
 *   M = Σ_k v_k · ( w0 · Π_{all looks} e^{ℓ_k} + Σ_j w_j · Π_{looks ≥ j} e^{ℓ_k} )
 * where ℓ_k is the look's capped quasi log likelihood ratio (look-evidence.ts), w0 = 1 − changeShare
 * and the w_j spread changeShare over the horizon in proportion to time. The change part follows
 * Shiryaev–Roberts' recursion R ← (R + w_j)·e^{ℓ}, so a regression that starts late is not held
 * back by the healthy traffic before it.
 *
 * The guarantee: if, given the past, every request fails with probability ≤ θ (independent errors
 * at or below the threshold), then each capped factor e^{ℓ_k} has conditional mean ≤ 1, the
 * from-deploy part divided by φ is at most w0 more than its raw e-value (testBoundaries), so M − w0
 * plus the prior mass of change points still to come is bounded by a test supermartingale, and by
 * Ville's inequality P(M ever ≥ 1/testAlpha + w0) ≤ testAlpha — however often and irregularly the guard looks. With the
 * baseline's bound missing with probability ≤ baselineAlpha, false rollbacks from the test are
 * ≤ alpha per deploy. Under dependent errors this holds only approximately; what was measured is in
 * docs/benchmarks.md and what holds is in docs/statistics.md ("Dependence").
 */
import type { ErrorRateTestState } from '../domain/error-rate-evidence.ts';
import { advanceCeilingRun, ceilingBreached, ceilingRunMs, NO_CEILING_RUN } from './ceiling-run.ts';
import type { BaselineSummary } from '../domain/error-rate-evidence.ts';
import type { ErrorRateTestJudgment, ErrorRateTestReason } from './error-rate-test-judgment.ts';
import { errorRateTestSpecProblems, testBoundaries, type ErrorRateTestSpec } from './error-rate-test-spec.ts';
import { dispersionAtHorizon } from './dispersion.ts';
import { alternativeTerms, logAddExp, lookLogLikelihoodRatios, type AlternativeTerms } from './look-evidence.ts';

export type { ErrorRateTestJudgment, ErrorRateTestReason } from './error-rate-test-judgment.ts';

export interface ErrorRateIncrement {
  at: number;
  requests: number;
  errors: number;
  /** The caller does not trust these counts (an unexplained counter reset): the look is skipped. */
  reset?: boolean;
}

/** Logs below this stand for "zero": JSON has no −Infinity, and e^(−1e9) is 0 in doubles anyway. */
const LOG_ZERO = -1e9;

export function startErrorRateTest(startedAt: number): ErrorRateTestState {
  return { startedAt, lastAt: startedAt, looks: 0, requests: 0, errors: 0, logDeploy: [], logChange: [], ceiling: { ...NO_CEILING_RUN } };
}

const isCount = (v: number) => Number.isFinite(v) && v >= 0;

function incrementProblem(i: ErrorRateIncrement): string | undefined {
  if (!Number.isFinite(i.at)) return 'the reading has no valid time';
  if (!isCount(i.requests) || !isCount(i.errors)) return 'counts must be finite and non-negative';
  if (i.errors > i.requests) return 'more errors than requests';
  return undefined;
}

let lastTerms: AlternativeTerms | undefined;
const termsFor = (threshold: number) => (lastTerms?.threshold === threshold ? lastTerms : (lastTerms = alternativeTerms(threshold)));
const scratch: number[] = [];

interface Evidence {
  logDeploy: number[];
  logChange: number[];
  lookCap: number;
  logDeployEvidence: number;
  logChangeEvidence: number;
}

/**
 * Folds one look into the per-alternative sums. The from-deploy sums are kept raw and divided at
 * each look by φ at the current horizon (dispersion.ts), the same φ for every alternative; the
 * change part divides each look by the long-scale φ. Contract: the baseline is sufficient.
 */
function addLook(state: ErrorRateTestState, i: ErrorRateIncrement, baseline: BaselineSummary, spec: ErrorRateTestSpec): Evidence {
  const bounds = testBoundaries(spec);
  const terms = termsFor(baseline.threshold as number);
  const elapsed = Math.max(0, i.at - state.lastAt);
  const minDecision = baseline.bursty ? spec.burstyMinDecisionMs : spec.minDecisionMs;
  const lookCap = (bounds.logDeployBoundary * elapsed) / minDecision;
  const horizonDispersion = dispersionAtHorizon({ short: baseline.shortDispersion, long: baseline.dispersion }, i.at - state.startedAt);
  const llr = lookLogLikelihoodRatios(terms, i.requests, i.errors, scratch);
  // Prior mass of change points in (lastAt, at], in proportion to time, up to the horizon.
  const horizonEnd = state.startedAt + spec.changeHorizonMs;
  const changeMass = bounds.changeWeightPerMs * (Math.min(i.at, horizonEnd) - Math.min(state.lastAt, horizonEnd));
  const logChangeWeight = changeMass > 0 ? Math.log(changeMass) : Number.NEGATIVE_INFINITY;
  // The change cap: evidence since a look that started with this look's prior weight needs
  // minChangeDecision to reach the boundary (weights are per time, so this does not depend on how often the guard looks).
  const logChangeBoundary = bounds.logBoundary - Math.log(bounds.changeWeightPerMs * Math.max(elapsed, 1));
  const changeCap = (logChangeBoundary * elapsed) / spec.minChangeDecisionMs;
  const logDeploy: number[] = [];
  const logChange: number[] = [];
  let logDeployEvidence = Number.NEGATIVE_INFINITY;
  let logChangeEvidence = Number.NEGATIVE_INFINITY;
  for (let k = 0; k < llr.length; k++) {
    const l = llr[k] as number;
    // Raw, capped so that once divided by φ(horizon) this look adds at most lookCap.
    const deploy = Math.max(LOG_ZERO, (state.logDeploy[k] ?? 0) + Math.min(l, lookCap * horizonDispersion));
    const change = Math.max(LOG_ZERO, logAddExp(state.logChange[k] ?? LOG_ZERO, logChangeWeight) + Math.min(l / baseline.dispersion, changeCap));
    logDeploy.push(deploy);
    logChange.push(change);
    const logWeight = terms.logWeights[k] as number;
    logDeployEvidence = logAddExp(logDeployEvidence, logWeight + bounds.logDeployWeight + deploy / horizonDispersion);
    logChangeEvidence = logAddExp(logChangeEvidence, logWeight + change);
  }
  // Without alternatives (θ = 1) there is nothing to find: the sums stay at "zero".
  return { logDeploy, logChange, lookCap, logDeployEvidence: Math.max(LOG_ZERO, logDeployEvidence), logChangeEvidence: Math.max(LOG_ZERO, logChangeEvidence) };
}

/**
 * One look: the next state and the judgment. Order: unusable input and resets skip the look
 * (inconclusive, state unchanged: a broken counter never fails a release); a persistent ceiling
 * fails; without a sufficient baseline nothing else is decided; then the test; a pass needs
 * minRequests and the cumulative rate at or below θ. Never throws.
 */
export function stepErrorRateTest(
  state: ErrorRateTestState,
  increment: ErrorRateIncrement,
  baseline: BaselineSummary,
  spec: ErrorRateTestSpec,
): { state: ErrorRateTestState; judgment: ErrorRateTestJudgment } {
  const logBoundary = testBoundaries(spec).logBoundary;
  const base = {
    requests: state.requests,
    errors: state.errors,
    lookRequests: increment.requests,
    lookErrors: increment.errors,
    baselineRate: baseline.rateAtLoad?.rate ?? baseline.rate,
    ...(baseline.rateAtLoad === undefined ? {} : { loadRatio: baseline.rateAtLoad.loadRatio }),
    threshold: baseline.threshold,
    dispersion: baseline.dispersion,
    logStatistic: null,
    logBoundary,
    logDeployEvidence: null,
    logChangeEvidence: null,
    lookCap: null,
    bursty: baseline.bursty,
    ceilingRunMs: ceilingRunMs(state.ceiling, state.lastAt),
  };
  const rateOf = (requests: number, errors: number) => (requests > 0 ? errors / requests : null);
  const skip = (reason: ErrorRateTestReason, problem?: string) => ({
    state,
    judgment: { ...base, phase: 'inconclusive' as const, reason, rate: rateOf(state.requests, state.errors), ...(problem === undefined ? {} : { problem }) },
  });
  const specProblems = errorRateTestSpecProblems(spec);
  if (specProblems.length > 0) return skip('invalid-spec', specProblems.join('; '));
  const problem = incrementProblem(increment);
  if (problem !== undefined) return skip('invalid-input', problem);
  if (increment.reset === true) return skip('counter-reset');

  const at = Math.max(increment.at, state.lastAt);
  const requests = state.requests + increment.requests;
  const errors = state.errors + increment.errors;
  const ceiling = advanceCeilingRun(state.ceiling, { from: state.lastAt, ...increment, at }, spec);
  const counted = { ...state, lastAt: at, looks: state.looks + 1, requests, errors, ceiling };
  const judged = { ...base, requests, errors, rate: rateOf(requests, errors), ceilingRunMs: ceilingRunMs(ceiling, at) };
  const verdict = (next: ErrorRateTestState, phase: ErrorRateTestJudgment['phase'], reason: ErrorRateTestReason, extra = {}) => ({
    state: next,
    judgment: { ...judged, ...extra, phase, reason },
  });
  if (ceilingBreached(ceiling, at, spec)) return verdict(counted, 'failed', 'ceiling');
  if (baseline.insufficient !== undefined || baseline.threshold === null) return verdict(counted, 'inconclusive', 'insufficient-baseline');

  const e = addLook(state, { ...increment, at }, baseline, spec);
  const next = { ...counted, logDeploy: e.logDeploy, logChange: e.logChange };
  const logStatistic = logAddExp(e.logDeployEvidence, e.logChangeEvidence);
  const numbers = { logStatistic, logDeployEvidence: e.logDeployEvidence, logChangeEvidence: e.logChangeEvidence, lookCap: e.lookCap };
  if (logStatistic >= logBoundary) {
    return verdict(next, 'failed', e.logDeployEvidence >= e.logChangeEvidence ? 'sequential-test' : 'change-detected', numbers);
  }
  if (requests < spec.minRequests) return verdict(next, 'inconclusive', 'insufficient-traffic', numbers);
  if (errors / requests > baseline.threshold) return verdict(next, 'inconclusive', 'above-threshold-unconfirmed', numbers);
  return verdict(next, 'successful', 'within-bound', numbers);
}
