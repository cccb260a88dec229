/**
 * The end-to-end suite's markdown table (one row per scenario × detector, in the style of
 * report.ts) and the target: every bad class detected faster by the watchdog than by the
 * peer in the same run, where "not detected within the window" is slower than any time.
 */
import type { E2eRow } from './e2e-outcomes.ts';

const DETECTOR_LABEL = { watchdog: 'watchdog', peer: 'Prometheus + Alertmanager peer' } as const;

function timeCell(row: E2eRow, seconds: number | null, windowS: number): string {
  if (!row.bad) return seconds === null ? 'none ✓' : `FALSE ROLLBACK at ${seconds.toFixed(1)} s`;
  return seconds === null ? `not within ${windowS} s` : `${seconds.toFixed(1)} s`;
}

export function e2eTable(rows: readonly E2eRow[], windowS: number): string {
  const header = ['scenario', 'release', 'detector', 'fired on', 'onset → rollback started', 'onset → verified healthy'];
  const lines = [`| ${header.join(' | ')} |`, '| --- | --- | --- | --- | ---: | ---: |'];
  for (const r of rows) {
    const name = r.extra ? `${r.scenario} (extra)` : r.scenario;
    const signal = r.signal ?? '—';
    const cells = [name, `\`${r.release}\``, DETECTOR_LABEL[r.detector], signal, timeCell(r, r.rollbackStartedS, windowS), timeCell(r, r.verifiedS, windowS)];
    lines.push(`| ${cells.join(' | ')} |`);
  }
  return lines.join('\n');
}

export interface TargetCheck {
  scenario: string;
  watchdogFaster: boolean;
  line: string;
}

/** Per bad scenario: did the watchdog start its rollback before the peer (or the peer not at all)? */
export function checkTargets(rows: readonly E2eRow[], windowS: number): TargetCheck[] {
  const scenarios = [...new Set(rows.filter((r) => r.bad).map((r) => r.scenario))];
  return scenarios.map((scenario) => {
    const of = (detector: E2eRow['detector']) => rows.find((r) => r.scenario === scenario && r.detector === detector)?.rollbackStartedS ?? null;
    const wd = of('watchdog');
    const peer = of('peer');
    const watchdogFaster = wd !== null && (peer === null || wd < peer);
    const show = (s: number | null) => (s === null ? `not within ${windowS} s` : `${s.toFixed(1)} s`);
    return { scenario, watchdogFaster, line: `${watchdogFaster ? '✓' : '✗'} ${scenario}: watchdog ${show(wd)}, peer ${show(peer)}` };
  });
}

/** Every note (held or failed rollbacks, peer errors), one line each. */
export function notes(rows: readonly E2eRow[]): string[] {
  return rows.filter((r) => r.note !== undefined).map((r) => `- ${r.scenario} / ${r.detector}: ${r.note}`);
}
