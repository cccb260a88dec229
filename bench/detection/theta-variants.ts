/**
 * Shared by the scripts that compare ways of setting θ on the same deploys (recent-level.ts,
 * load-level.ts): the guard's test run on another baseline summary, one cell of the combined
 * noise's family, and the share of deploys each way rolled back, printed as one table.
 */
import type { ErrorRateTestSpec } from '../../src/analysis/error-rate-test-spec.ts';
import type { BaselineSummary } from '../../src/domain/error-rate-evidence.ts';
import type { Cell, ReleaseClass, Timing } from './cells.ts';
import { oursDetector, type DetectorDefinition } from './detectors.ts';
import { simulateDeploy } from './simulate.ts';

export type DeployContext = Parameters<DetectorDefinition['create']>[0];

/** The summary with θ set from `bound` as the guard sets it from its upper bound. */
export const withThreshold = (spec: ErrorRateTestSpec, s: BaselineSummary, bound: number): BaselineSummary =>
  s.threshold === null ? s : { ...s, threshold: Math.max(spec.absoluteFloor, Math.min(spec.ceiling, spec.tolerance * bound)) };

/** The guard's test, judging against the summary `summary` gives for each deploy. */
export function thetaVariant(spec: ErrorRateTestSpec, name: string, summary: (ctx: DeployContext) => BaselineSummary): DetectorDefinition {
  const ours = oursDetector(spec);
  return { name, badOnly: false, create: (ctx) => ours.create({ ...ctx, summary: summary(ctx) }) };
}

/** A standard cell (1 % baseline, onset at the deploy) of a noise model at a traffic level. */
export function noiseCell(noise: string, requestsPerSecond: number): Cell {
  return { id: `${noise}@${requestsPerSecond}`, group: 'standard', noise, requestsPerSecond, baselineRate: 0.01, onsetSeconds: 0, preIssueBaselineMinutes: 30, deploys: {} };
}

export interface Comparison {
  seed: number;
  spec: ErrorRateTestSpec;
  timing: Timing;
  detectors: readonly DetectorDefinition[];
  /** Run with the compared detectors, not counted: probes that only watch. */
  watchers?: readonly DetectorDefinition[];
}

/** Share of `n` deploys of a class each detector rolled back; `each` sees every deploy's outcome. */
export function shareRolledBack(c: Comparison, cell: Cell, releaseClass: ReleaseClass, n: number, each?: (detectedAfter: readonly (number | null)[]) => void): number[] {
  const hits = c.detectors.map(() => 0);
  for (let i = 0; i < n; i++) {
    const { detectedAfter } = simulateDeploy(c.seed, cell, releaseClass, i, [...c.detectors, ...(c.watchers ?? [])], c.spec, c.timing);
    c.detectors.forEach((_, d) => (hits[d] = (hits[d] as number) + (detectedAfter[d] === null ? 0 : 1)));
    each?.(detectedAfter);
  }
  return hits.map((h) => h / n);
}

/** The comparison as a markdown table: a row per detector, a column per measured share. */
export function printShares(title: string, rowHeader: string, detectors: readonly DetectorDefinition[], columns: readonly [string, number[]][]): void {
  const pct = (x: number) => `${(100 * x).toFixed(x < 0.01 ? 2 : 1)}%`;
  console.log(`# ${title}\n`);
  console.log(`| ${rowHeader} | ${columns.map(([name]) => name).join(' | ')} |`);
  console.log(`| --- |${columns.map(() => ' ---: |').join('')}`);
  detectors.forEach((d, k) => console.log(`| ${d.name} | ${columns.map(([, shares]) => pct(shares[k] as number)).join(' | ')} |`));
}
