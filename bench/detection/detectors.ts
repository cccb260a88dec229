/**
 * The detectors the suite compares, behind one small interface. Each wraps pure functions from
 * src/analysis; the closures only hold the running state a real loop would persist.
 */
import { accumulate, startAccumulator, type CounterSample } from '../../src/analysis/counter-accumulator.ts';
import { judgeErrorRate, type ErrorRateSpec } from '../../src/analysis/error-rate.ts';
import {
  fixedThresholdBreached,
  FLAGGER_STYLE_RULE,
  type FixedThresholdRule,
  type IntervalCounts,
} from '../../src/analysis/fixed-threshold-rule.ts';
import { SPRT_START, sprtStep, type SprtSpec } from '../../src/analysis/sprt.ts';
import type { DeployScenario } from './scenarios.ts';
import type { Counts } from './traffic.ts';

/** `pass` ends the deploy early as healthy; only a two-sided SPRT (beta > 0) ever says so. */
export type DetectorVerdict = 'rollback' | 'continue' | 'pass';

export interface Observation {
  /** Virtual ms since the deploy. */
  atMs: number;
  /** True counts of the interval that just ended (what a Prometheus rate() query reports). */
  interval: Counts;
  /** The release's raw counters as scraped, including any restart to 0 (what the watchdog reads). */
  rawCounters: CounterSample;
}

export interface DeployContext {
  scenario: DeployScenario;
  /** The previous release's measured counts over the baseline window. */
  baseline: Counts;
}

export interface Detector {
  observe(o: Observation): DetectorVerdict;
}

export interface DetectorDefinition {
  /** Column heading in the report. */
  name: string;
  create(ctx: DeployContext): Detector;
}

/** Ours: raw counters through the reset-aware accumulator, then the judgment after every interval. */
export function mixtureDetector(spec: ErrorRateSpec): DetectorDefinition {
  return {
    name: 'mixture e-process (ours)',
    create: ({ baseline }) => {
      // The new release's process starts at 0, so the origin is known rather than the first scrape.
      let counters = startAccumulator({ requests: 0, errors: 0 });
      return {
        observe: (o) => {
          counters = accumulate(counters, o.rawCounters);
          const judgment = judgeErrorRate(spec, {
            requests: counters.requests,
            errors: counters.errors,
            baselineRequests: baseline.requests,
            baselineErrors: baseline.errors,
          });
          return judgment.phase === 'failed' ? 'rollback' : 'continue';
        },
      };
    },
  };
}

/**
 * The Flagger/Argo-style peer: every `checkEveryMs` (their analysis `interval`), roll back on the first
 * window whose ratio breaches the rule (`threshold: 1` / `failureLimit: 0`).
 */
export function fixedThresholdDetector(rule: FixedThresholdRule = FLAGGER_STYLE_RULE, checkEveryMs = 60_000): DetectorDefinition {
  return {
    name: `fixed ${(rule.maxErrorRatio * 100).toFixed(0)}% / ${rule.windowMs / 1000}s`,
    create: () => {
      const recent: IntervalCounts[] = [];
      return {
        observe: (o) => {
          recent.push({ at: o.atMs, ...o.interval });
          while (recent.length > 0 && (recent[0]?.at ?? 0) <= o.atMs - rule.windowMs) recent.shift();
          if (o.atMs % checkEveryMs !== 0) return 'continue';
          return fixedThresholdBreached(rule, recent, o.atMs) ? 'rollback' : 'continue';
        },
      };
    },
  };
}

/** Keeps the oracle's rates strictly inside (0, 1), where its log-likelihood ratio is finite. */
const inside = (p: number) => Math.min(1 - 1e-9, Math.max(1e-9, p));

/**
 * Which healthy rate the oracle is told. `baseline`: the previous release's true rate, the problem
 * as a user states it ("is it worse than before?"). `spec-threshold`: max(floor, tolerance × true
 * baseline rate), the null our detector tests; comparing the two oracles separates what the spec's
 * tolerance and floor cost from what not knowing the rates costs.
 */
export type OracleNull = 'baseline' | 'spec-threshold';

/**
 * Wald's SPRT told the truth: p0 per `nullRate`, p1 = the new release's true rate (for a healthy
 * release, which has no p1, the smallest rate the spec would call bad: tolerance × p0). It sees true
 * interval counts. Its detection time is the lower bound for any detector with the same error
 * probabilities. beta = 0 (no early acceptance of H0): like ours, it watches the whole window, and a
 * two-sided oracle would give up on some bad releases after a few quiet intervals.
 * A release whose true rate is not above p0 is not bad for this oracle: it never rolls it back.
 */
export function oracleSprtDetector(spec: ErrorRateSpec, nullRate: OracleNull = 'baseline'): DetectorDefinition {
  return {
    name: nullRate === 'baseline' ? 'oracle SPRT, p0 = baseline' : 'oracle SPRT, p0 = spec threshold',
    create: ({ scenario }) => {
      const { baselineRate, releaseRate, releaseClass } = scenario;
      const p0 = inside(nullRate === 'baseline' ? baselineRate : Math.max(spec.absoluteFloor, spec.tolerance * baselineRate));
      const p1 = inside(releaseClass === 'healthy' ? spec.tolerance * p0 : releaseRate);
      if (p1 <= p0) return { observe: () => 'continue' };
      const sprt: SprtSpec = { p0, p1, alpha: spec.alpha, beta: 0 };
      let state = SPRT_START;
      return {
        observe: (o) => {
          state = sprtStep(sprt, state, o.interval);
          return state.decision === 'accept-h1' ? 'rollback' : state.decision === 'accept-h0' ? 'pass' : 'continue';
        },
      };
    },
  };
}
