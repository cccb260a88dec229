/**
 * Reads each detector's result off what it left behind: the daemon's decision log records (each
 * with `time` in epoch ms) and the peer webhook's rollback record, as seconds after fault onset.
 */
import type { PeerRollback } from './e2e-peer.ts';
import type { DetectorName, E2eScenario } from './e2e-scenarios.ts';

export interface E2eRow {
  scenario: string;
  release: string;
  bad: boolean;
  extra: boolean;
  detector: DetectorName;
  /** What fired: the watchdog's failing checks, or the peer's alert; null when nothing did. */
  signal: string | null;
  /** Seconds from fault onset; null when it did not happen within the window. */
  rollbackStartedS: number | null;
  verifiedS: number | null;
  /** Anything else worth a look: a held or failed rollback, a peer error. */
  note?: string;
}

type LogRecord = Record<string, unknown>;

const secondsAfter = (onset: number, at: number | undefined) =>
  at === undefined || !Number.isFinite(onset) ? null : Math.round((at - onset) / 100) / 10;

export function watchdogOutcome(scenario: E2eScenario, target: string, onset: number, records: readonly LogRecord[]): E2eRow {
  const first = (decision: string) => records.find((r) => r.target === target && r.decision === decision && typeof r.time === 'number');
  const failed = first('release-failed');
  const held = first('rollback-held') ?? first('rollback-failed');
  return {
    ...base(scenario, 'watchdog'),
    signal: failed ? failingChecks(failed) : null,
    rollbackStartedS: secondsAfter(onset, first('rollback-started')?.time as number | undefined),
    verifiedS: secondsAfter(onset, first('rollback-verified')?.time as number | undefined),
    ...(held && { note: `${String(held.decision)}: ${String(held.msg)}` }),
  };
}

export function peerOutcome(scenario: E2eScenario, app: string, onset: number, rollback: PeerRollback | undefined): E2eRow {
  return {
    ...base(scenario, 'peer'),
    signal: rollback ? `alert HighErrorRatio (${app})` : null,
    rollbackStartedS: secondsAfter(onset, rollback?.alertAt),
    verifiedS: secondsAfter(onset, rollback?.verifiedAt),
    ...(rollback?.error !== undefined && { note: rollback.error }),
  };
}

function base(scenario: E2eScenario, detector: DetectorName) {
  return { scenario: scenario.name, release: scenario.profile, bad: scenario.bad, extra: scenario.extra, detector };
}

/** The checks that were not successful in the failing round, e.g. `ready` or `error-rate`. */
function failingChecks(record: LogRecord): string {
  const measurements = Array.isArray(record.measurements) ? (record.measurements as { check?: string; phase?: string }[]) : [];
  const checks = [...new Set(measurements.filter((m) => m.phase !== 'successful' && m.check).map((m) => m.check as string))];
  if (checks.length > 0) return checks.join(', ');
  // No measurements attached: the reason is in the message ("v2 failed its guard: <why>").
  return String(record.msg ?? '').replace(/^v\d+ failed its guard: /, '');
}
