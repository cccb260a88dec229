/**
 * Turns the suite's tallies into rows and two markdown tables: false rollbacks of healthy deploys
 * (with a Clopper–Pearson 95 % interval), and detection of bad ones (share caught within the window,
 * median and p90 seconds from the onset) next to the two Wald oracles.
 */
import type { Cell, ReleaseClass } from './cells.ts';
import { clopperPearson } from './clopper-pearson.ts';
import type { Tally } from './suite.ts';

export interface DetectorRow {
  detector: string;
  ran: number;
  /** Rolled back at or after the onset. */
  caught: number;
  /** Rolled back before a late onset: false rollbacks of a release that was still healthy. */
  early: number;
  medianSeconds: number | null;
  p90Seconds: number | null;
}

export interface Row {
  cell: Cell;
  releaseClass: ReleaseClass;
  deploys: number;
  meanDispersion: number;
  meanShortDispersion: number;
  burstyShare: number;
  insufficientShare: number;
  /** Share of deploys whose baseline bound was below the true rate: ours and the pre-issue one. */
  boundMissShare: number;
  preIssueBoundMissShare: number;
  detectors: DetectorRow[];
}

/** Nearest-rank quantile of ascending values; null for none. */
export function quantile(sorted: readonly number[], q: number): number | null {
  if (sorted.length === 0) return null;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] ?? null;
}

/**
 * The median time over all `deploys` when a deploy not caught counts as never caught: null when
 * fewer than half were caught. `caughtSorted` holds the times of the caught ones, ascending.
 */
export function medianCountingMisses(caughtSorted: readonly number[], deploys: number): number | null {
  return deploys > 0 && caughtSorted.length * 2 >= deploys ? quantile(caughtSorted, (0.5 * deploys) / caughtSorted.length) : null;
}

export function buildRows(cells: readonly Cell[], tallies: ReadonlyMap<string, Tally>, detectorNames: readonly string[]): Row[] {
  const rows: Row[] = [];
  for (const cell of cells) {
    for (const cls of Object.keys(cell.deploys) as ReleaseClass[]) {
      const t = tallies.get(`${cell.id}|${cls}`);
      if (t === undefined || t.deploys === 0) continue;
      rows.push({
        cell,
        releaseClass: cls,
        deploys: t.deploys,
        meanDispersion: t.dispersionSum / t.deploys,
        meanShortDispersion: t.shortDispersionSum / t.deploys,
        burstyShare: t.bursty / t.deploys,
        insufficientShare: t.insufficientBaseline / t.deploys,
        boundMissShare: t.boundMisses / t.deploys,
        preIssueBoundMissShare: t.preIssueBoundMisses / t.deploys,
        detectors: detectorNames.map((detector, k) => {
          const times = (t.detections[k] ?? []).slice().sort((a, b) => a - b);
          const after = times.filter((s) => s > 0);
          return {
            detector,
            ran: t.ran[k] ?? 0,
            caught: after.length,
            early: times.length - after.length,
            medianSeconds: quantile(after, 0.5),
            p90Seconds: quantile(after, 0.9),
          };
        }),
      });
    }
  }
  return rows;
}

const pct = (k: number, n: number, digits = 2) => (n === 0 ? '—' : `${((100 * k) / n).toFixed(digits)}%`);

function falseRollbackCell(d: DetectorRow): string {
  const k = d.caught + d.early;
  const { lower, upper } = clopperPearson(k, d.ran);
  return `${k} (${pct(k, d.ran)}; ${(lower * 100).toFixed(2)}–${(upper * 100).toFixed(2)}%)`;
}

const cellLabel = (c: Cell) => `${c.noise} | ${c.requestsPerSecond} | ${(c.baselineRate * 100).toFixed(0)}%`;

export function falseRollbackTable(rows: readonly Row[]): string {
  const lines = [
    '| noise | rps | baseline | deploys | ours: rolled back (share; 95% CI) | pre-issue: rolled back | mean φ minute / long | bursty baselines | bound below true rate: ours / pre-issue |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |',
  ];
  for (const r of rows.filter((x) => x.releaseClass === 'healthy')) {
    const [ours, pre] = r.detectors;
    if (ours === undefined || pre === undefined) continue;
    const low = r.cell.group === 'low-traffic' ? ` (low; pre-issue baseline ${r.cell.preIssueBaselineMinutes} min)` : '';
    lines.push(`| ${cellLabel(r.cell)}${low} | ${r.deploys} | ${falseRollbackCell(ours)} | ${ours === pre ? '' : falseRollbackCell(pre)} | ${r.meanShortDispersion.toFixed(2)} / ${r.meanDispersion.toFixed(2)} | ${pct(r.burstyShare, 1, 1)} | ${pct(r.boundMissShare, 1, 1)} / ${pct(r.preIssueBoundMissShare, 1, 1)} |`);
  }
  return lines.join('\n');
}

function detectionCell(d: DetectorRow): string {
  if (d.ran === 0) return '—';
  const time = d.medianSeconds === null ? '' : ` · ${d.medianSeconds} / ${d.p90Seconds} s`;
  return `${pct(d.caught, d.ran, 1)}${time}`;
}

export function detectionTable(rows: readonly Row[]): string {
  const names = rows[0]?.detectors.map((d) => d.detector) ?? [];
  const lines = [
    `| noise | rps | baseline | onset | class | deploys | ${names.map((n) => `${n}: caught · median / p90 s`).join(' | ')} | ours: rolled back before onset |`,
    `| --- | ---: | ---: | ---: | --- | ---: | ${names.map(() => '---:').join(' | ')} | ---: |`,
  ];
  for (const r of rows.filter((x) => x.releaseClass !== 'healthy')) {
    const early = r.cell.onsetSeconds > 0 ? String(r.detectors[0]?.early ?? 0) : '';
    lines.push(`| ${cellLabel(r.cell)} | ${r.cell.onsetSeconds} s | ${r.releaseClass} | ${r.deploys} | ${r.detectors.map(detectionCell).join(' | ')} | ${early} |`);
  }
  return lines.join('\n');
}
