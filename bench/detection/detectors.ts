/**
 * The detectors the statistical suite compares, behind one small interface: ours (the
 * state-passing test on the remembered baseline), the pre-issue cumulative judgment on its
 * 30-minute baseline (to show what the issue measured), and Wald's SPRT told the true rates, twice:
 * against the true baseline rate and against the spec's threshold (tolerance × true baseline).
 */
import { judgeErrorRate, DEFAULT_ERROR_RATE_SPEC } from '../../src/analysis/error-rate.ts';
import type { BaselineHistory, BaselineSummary } from '../../src/domain/error-rate-evidence.ts';
import { startErrorRateTest, stepErrorRateTest } from '../../src/analysis/error-rate-test.ts';
import type { ErrorRateTestSpec } from '../../src/analysis/error-rate-test-spec.ts';
import { SPRT_START, sprtStep, type SprtSpec } from '../../src/analysis/sprt.ts';
import { MULTIPLIER, type Cell, type ReleaseClass } from './cells.ts';
import type { Counts } from './error-process.ts';

export interface DeployContext {
  cell: Cell;
  releaseClass: ReleaseClass;
  /** The remembered baseline, and its summary at the guard's start. */
  history: BaselineHistory;
  summary: BaselineSummary;
  /** The stable release's own recent traffic: the pre-issue detector's baseline. */
  preIssueBaseline: Counts;
  guardStartMs: number;
  /** The weather's mean multiplier of the error rate at the deploy (the daily swing): for diagnoses only. */
  levelAtDeploy: number;
}

export interface Look {
  /** Epoch-like ms of the reading and seconds since the deploy. */
  atMs: number;
  seconds: number;
  counts: Counts;
}

/** true: roll back now. */
export type Detector = (look: Look) => boolean;

export interface DetectorDefinition {
  name: string;
  /** Oracles have no healthy alternative to test against: they run on bad releases only. */
  badOnly: boolean;
  create(ctx: DeployContext): Detector;
}

export function oursDetector(spec: ErrorRateTestSpec): DetectorDefinition {
  return {
    name: 'ours',
    badOnly: false,
    create: ({ summary, guardStartMs }) => {
      let state = startErrorRateTest(guardStartMs);
      return (look) => {
        const step = stepErrorRateTest(state, { at: look.atMs, ...look.counts }, summary, spec);
        state = step.state;
        return step.judgment.phase === 'failed';
      };
    },
  };
}

/** judgeErrorRate as the guard used it before this issue: cumulative counts, a 30-minute baseline. */
export function preIssueDetector(): DetectorDefinition {
  return {
    name: 'pre-issue',
    badOnly: false,
    create: ({ preIssueBaseline }) => {
      let requests = 0;
      let errors = 0;
      return (look) => {
        requests += look.counts.requests;
        errors += look.counts.errors;
        const j = judgeErrorRate(DEFAULT_ERROR_RATE_SPEC, { requests, errors, baselineRequests: preIssueBaseline.requests, baselineErrors: preIssueBaseline.errors });
        return j.phase === 'failed';
      };
    },
  };
}

const inside = (p: number) => Math.min(1 - 1e-9, Math.max(1e-9, p));

/**
 * Wald's SPRT knowing the truth (alpha 0.001, power 0.99): p0 = the true baseline rate, or the
 * spec's threshold max(floor, tolerance × true baseline); p1 = the bad release's true rate. It
 * starts at the onset (it knows when the regression begins), so its time is the lower bound.
 */
export function oracleDetector(kind: 'baseline' | 'spec-threshold'): DetectorDefinition {
  const spec = DEFAULT_ERROR_RATE_SPEC;
  return {
    name: kind === 'baseline' ? 'SPRT p0=baseline' : 'SPRT p0=threshold',
    badOnly: true,
    create: ({ cell, releaseClass }) => {
      const base = cell.baselineRate;
      const p0 = inside(kind === 'baseline' ? base : Math.max(spec.absoluteFloor, spec.tolerance * base));
      const p1 = inside(Math.min(1, base * MULTIPLIER[releaseClass]));
      if (p1 <= p0) return () => false;
      const sprt: SprtSpec = { p0, p1, alpha: spec.alpha, beta: 0.01 };
      let state = SPRT_START;
      return (look) => {
        if (look.seconds <= cell.onsetSeconds) return false;
        state = sprtStep(sprt, state, look.counts);
        return state.decision === 'accept-h1';
      };
    },
  };
}

export function suiteDetectors(spec: ErrorRateTestSpec): DetectorDefinition[] {
  return [oursDetector(spec), preIssueDetector(), oracleDetector('baseline'), oracleDetector('spec-threshold')];
}
