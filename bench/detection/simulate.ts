/**
 * One simulated deploy in virtual time: the previous release's baseline window, then the guard window
 * in evaluation-sized steps, with every detector fed the same traffic (common random numbers, so
 * differences between detectors are not sampling noise between their inputs). Nothing sleeps.
 */
import type { DetectorDefinition } from './detectors.ts';
import { mulberry32 } from './random.ts';
import type { DeployScenario, NoiseModel, Timing } from './scenarios.ts';
import { sumIntervals, trafficStream, type Counts } from './traffic.ts';

export interface DetectorOutcome {
  detector: string;
  rolledBack: boolean;
  /** Virtual ms from the deploy to the rollback decision (null without a rollback). */
  detectedAtMs: number | null;
  /** Requests the new release had served when the detector decided (or by the window's end). */
  requestsSeen: number;
}

export interface DeployOutcome {
  scenario: DeployScenario;
  baseline: Counts;
  /** Interval (1-based) at which the release's process restarted and its raw counters fell to 0. */
  counterResetAt: number | null;
  outcomes: DetectorOutcome[];
}

/**
 * Simulates one deploy. Deterministic: the scenario's seed fixes every draw, and detectors are asked
 * in order each interval until each has decided or the guard window ends. Detectors never see the
 * true rates through this function; only the oracle gets them, from the scenario, by design.
 */
export function simulateDeploy(
  scenario: DeployScenario,
  detectors: readonly DetectorDefinition[],
  timing: Timing,
  noise: NoiseModel,
): DeployOutcome {
  const u = mulberry32(scenario.seed);
  const { requestsPerSecond: rps, baselineRate, releaseRate } = scenario;
  const intervalMs = timing.evaluationEveryMs;
  const baseline = sumIntervals(trafficStream(u, noise, rps, intervalMs, baselineRate), Math.round(timing.baselineWindowMs / intervalMs));
  const intervals = Math.round(timing.guardWindowMs / intervalMs);
  // Both draws always happen, so the reset probability does not shift the rest of the stream.
  const resets = u() < noise.counterResetProbability;
  const resetDraw = u();
  const counterResetAt = resets ? 2 + Math.floor(resetDraw * (intervals - 1)) : null;
  const nextInterval = trafficStream(u, noise, rps, intervalMs, releaseRate);

  const runs = detectors.map((d) => ({
    detector: d.create({ scenario, baseline }),
    decided: false,
    outcome: { detector: d.name, rolledBack: false, detectedAtMs: null, requestsSeen: 0 } as DetectorOutcome,
  }));
  let served = 0;
  let raw = { requests: 0, errors: 0 };
  for (let t = 1; t <= intervals && runs.some((r) => !r.decided); t++) {
    const atMs = t * intervalMs;
    const interval = nextInterval();
    served += interval.requests;
    // A restart at the start of interval t: the raw counters only hold what the new process served.
    raw = t === counterResetAt ? { ...interval } : { requests: raw.requests + interval.requests, errors: raw.errors + interval.errors };
    for (const run of runs) {
      if (run.decided) continue;
      const verdict = run.detector.observe({ atMs, interval, rawCounters: raw });
      run.outcome.requestsSeen = served;
      if (verdict === 'continue') continue;
      run.decided = true;
      if (verdict === 'rollback') Object.assign(run.outcome, { rolledBack: true, detectedAtMs: atMs });
    }
  }
  return { scenario, baseline, counterResetAt, outcomes: runs.map((r) => r.outcome) };
}
