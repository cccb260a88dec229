/**
 * Turns deploy outcomes into per-class rows and a markdown table. For a healthy class every rollback
 * is a false rollback; for a bad class the share rolled back is the detection rate.
 */
import type { ReleaseClass } from './scenarios.ts';
import type { DeployOutcome } from './simulate.ts';

export interface DetectorSummary {
  detector: string;
  rolledBack: number;
  rollbackRate: number;
  /** Time to the rollback decision over the deploys rolled back, in seconds (null when none). */
  medianSeconds: number | null;
  p95Seconds: number | null;
  /** Requests the release had served at the decision, median over the deploys rolled back. */
  medianRequests: number | null;
}

export interface ClassRow {
  releaseClass: ReleaseClass;
  requestsPerSecond: number;
  deploys: number;
  /** Share of deploys the spec calls bad when the baseline rate is known exactly. */
  inScope: number;
  detectors: DetectorSummary[];
}

/** Nearest-rank quantile of ascending values; null for none. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}

/** One row per (class, traffic level), in the order the classes first appear in `outcomes`. */
export function summarise(outcomes: readonly DeployOutcome[], isBadBySpec: (o: DeployOutcome) => boolean): ClassRow[] {
  const groups = new Map<string, DeployOutcome[]>();
  for (const o of outcomes) {
    const key = `${o.scenario.releaseClass}@${o.scenario.requestsPerSecond}`;
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [o]);
    else group.push(o);
  }
  return [...groups.values()].map((group) => {
    const first = group[0];
    if (first === undefined) throw new Error('unreachable: groups are never empty');
    const names = first.outcomes.map((d) => d.detector);
    return {
      releaseClass: first.scenario.releaseClass,
      requestsPerSecond: first.scenario.requestsPerSecond,
      deploys: group.length,
      inScope: group.filter(isBadBySpec).length / group.length,
      detectors: names.map((name, i) => {
        const rolledBack = group.map((o) => o.outcomes[i]).filter((d) => d?.rolledBack === true);
        const seconds = rolledBack.map((d) => (d?.detectedAtMs ?? 0) / 1000).sort((a, b) => a - b);
        const requests = rolledBack.map((d) => d?.requestsSeen ?? 0).sort((a, b) => a - b);
        return {
          detector: name,
          rolledBack: rolledBack.length,
          rollbackRate: rolledBack.length / group.length,
          medianSeconds: quantile(seconds, 0.5),
          p95Seconds: quantile(seconds, 0.95),
          medianRequests: quantile(requests, 0.5),
        };
      }),
    };
  });
}

const percent = (r: number) => `${(r * 100).toFixed(1)}%`;

/** "count (share)", then "· p50 / p95 s" when anything was rolled back. */
function cell(d: DetectorSummary): string {
  const share = `${d.rolledBack} (${percent(d.rollbackRate)})`;
  if (d.medianSeconds === null || d.p95Seconds === null) return share;
  return `${share} · ${d.medianSeconds.toFixed(0)} / ${d.p95Seconds.toFixed(0)} s`;
}

/**
 * A markdown table, one column per detector: how many deploys it rolled back, and for those the
 * median / p95 virtual seconds from deploy to decision.
 */
export function markdownTable(rows: readonly ClassRow[]): string {
  const names = rows[0]?.detectors.map((d) => d.detector) ?? [];
  const header = ['class', 'rps', 'deploys', 'bad by spec', ...names];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map((_, i) => (i < 1 ? ' --- ' : ' ---: ')).join('|')}|`];
  for (const row of rows) {
    const cells = [row.releaseClass, String(row.requestsPerSecond), String(row.deploys), percent(row.inScope), ...row.detectors.map(cell)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}
