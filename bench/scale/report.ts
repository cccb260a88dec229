/** The scale table, in the terminal and as the README's Markdown, plus the targets checked. Pure. */
import type { SizeResult } from './run-size.ts';

const fixed = (n: number, digits: number) => (Number.isFinite(n) ? n.toFixed(digits) : n === Number.POSITIVE_INFINITY ? '>5000' : '-');
/** Bucket bounds are printed as "≤ X ms": they are upper bounds, not measured values. */
const bound = (ms: number) => (Number.isFinite(ms) ? `≤ ${ms >= 1 ? Math.round(ms) : ms}` : ms === Number.POSITIVE_INFINITY ? '> 5000' : '-');

export const HEADERS = [
  'targets',
  'CPU % (1 core)',
  'RSS MB',
  'private MB',
  'V8 heap MB',
  'helper MB',
  'CPU % per target',
  'RSS KB per target',
  'lag p50 ms',
  'lag p99 ms',
  'lag max ms',
  'lag mean ms',
  'probes/s (expected)',
  'flyctl CPU %',
  'sim CPU %',
  'host busy %',
] as const;

export function rowCells(r: SizeResult): string[] {
  return [
    String(r.targets),
    fixed(r.cpuPct, 1),
    fixed(r.rssMb, 0),
    fixed(r.anonMb, 0),
    fixed(r.heapMb, 0),
    fixed(r.helperMb, 0),
    fixed(r.cpuPerTargetPct, 3),
    fixed(r.rssPerTargetKb, 0),
    bound(r.lagP50Ms),
    bound(r.lagP99Ms),
    bound(r.lagMaxMs),
    fixed(r.lagMeanMs, 1),
    `${fixed(r.probesPerSec, 1)} (${fixed(r.expectedProbesPerSec, 0)})`,
    fixed(r.flyCpuPct, 1),
    fixed(r.simCpuPct, 1),
    fixed(r.hostBusyPct, 0),
  ];
}

export function markdownTable(rows: readonly SizeResult[]): string {
  return [`| ${HEADERS.join(' | ')} |`, `|${HEADERS.map(() => '---:').join('|')}|`, ...rows.map((r) => `| ${rowCells(r).join(' | ')} |`)].join('\n');
}

export interface Verdict {
  target: string;
  met: boolean;
  detail: string;
}

/** The targets: 100 under 5% CPU and 150 MB; flat cost per target 100 → 1,000; p99 lag < 1 s at 1,000. */
export function verdicts(rows: readonly SizeResult[]): Verdict[] {
  const at = (n: number) => rows.find((r) => r.targets === n);
  const out: Verdict[] = [];
  const hundred = at(100);
  if (hundred) {
    out.push({ target: '100 targets: CPU < 5% of one core', met: hundred.cpuPct < 5, detail: `${hundred.cpuPct.toFixed(1)}%` });
    out.push({ target: '100 targets: RSS < 150 MB', met: hundred.rssMb < 150, detail: `${hundred.rssMb.toFixed(0)} MB` });
  }
  const thousand = at(1000);
  if (hundred && thousand) {
    // "Roughly flat" is about growth: a per-target cost that falls (fixed costs and event-loop
    // wakeups shared by more targets) meets it; one that grows by more than half does not.
    const cpu = thousand.cpuPerTargetPct / hundred.cpuPerTargetPct;
    out.push({ target: 'CPU per target no higher at 1,000 than at 100 (×≤1.5)', met: cpu <= 1.5, detail: `×${cpu.toFixed(2)}` });
    const rss = thousand.rssPerTargetKb / hundred.rssPerTargetKb;
    out.push({ target: 'RSS per target no higher at 1,000 than at 100 (×≤1.5)', met: rss <= 1.5, detail: `×${rss.toFixed(2)} (fixed runtime cost spreads out)` });
  }
  if (thousand) out.push({ target: '1,000 targets: lag p99 < 1 s', met: thousand.lagP99Ms < 1000, detail: `p99 ${bound(thousand.lagP99Ms)} ms` });
  return out;
}
