import { describe, expect, it } from 'vitest';
import { HEADERS, markdownTable, rowCells, verdicts } from '../../../bench/scale/report.ts';
import type { SizeResult } from '../../../bench/scale/run-size.ts';

const row = (over: Partial<SizeResult>): SizeResult => ({
  targets: 100,
  windowS: 60,
  cpuPct: 4,
  helperCpuPct: 0.1,
  flyCpuPct: 10,
  rssMb: 140,
  rssMeanMb: 135,
  anonMb: 80,
  heapMb: 45,
  helperMb: 40,
  cpuPerTargetPct: 0.04,
  rssPerTargetKb: 1433,
  lagP50Ms: 1,
  lagP99Ms: 250,
  lagMaxMs: Number.POSITIVE_INFINITY,
  lagMeanMs: 3.2,
  lagObservations: 1200,
  probesPerSec: 39.9,
  expectedProbesPerSec: 40,
  unsuccessful: 0,
  flyCalls: 100,
  simCpuPct: 5,
  hostBusyPct: 30,
  startupS: 10,
  errorLines: {},
  ...over,
});

describe('scale bench: report', () => {
  it('prints lag as bucket bounds and one cell per header', () => {
    const cells = rowCells(row({}));
    expect(cells).toHaveLength(HEADERS.length);
    expect(cells.slice(HEADERS.indexOf('lag p50 ms'), HEADERS.indexOf('lag max ms') + 1)).toEqual(['≤ 1', '≤ 250', '> 5000']);
    expect(markdownTable([row({})]).split('\n')).toHaveLength(3);
  });

  it('checks the issue\'s targets', () => {
    const results = verdicts([
      row({ targets: 100, cpuPct: 4, rssMb: 140, cpuPerTargetPct: 0.04, rssPerTargetKb: 1433 }),
      row({ targets: 1000, cpuPct: 52, rssMb: 400, cpuPerTargetPct: 0.052, rssPerTargetKb: 410, lagP99Ms: 2500 }),
    ]);
    expect(results.map((v) => [v.target, v.met])).toEqual([
      ['100 targets: CPU < 5% of one core', true],
      ['100 targets: RSS < 150 MB', true],
      ['CPU per target no higher at 1,000 than at 100 (×≤1.5)', true],
      ['RSS per target no higher at 1,000 than at 100 (×≤1.5)', true],
      ['1,000 targets: lag p99 < 1 s', false],
    ]);
  });
});
