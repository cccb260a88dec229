/** An incident: one per failed release, from the first failed measurement to its resolution. */
export type IncidentOutcome = 'rolled-back' | 'rollback-failed' | 'held' | 'vetoed' | 'superseded';

export interface Incident {
  id: string;
  target: string;
  environment: string;
  version: number;
  imageRef: string;
  reason: string;
  status: 'open' | 'closed';
  openedAt: number;
  /** First failed measurement of the streak that failed the release: impact starts here. */
  impactStartedAt: number;
  /** Verified healthy again (rolled back), when that happened. */
  recoveredAt?: number;
  closedAt?: number;
  outcome?: IncidentOutcome;
  /** Impact longer than the configured threshold (5 minutes by default): write a post-mortem. */
  postmortemRequired: boolean;
  evidence: IncidentEvidence[];
}

export type IncidentEvidence =
  | { kind: 'measurements'; at: number; lines: string[] }
  | { kind: 'smoke-output'; at: number; check: string; text: string }
  | { kind: 'fly-logs'; at: number; lines: string[] }
  | { kind: 'note'; at: number; text: string };

/** Stable, readable, unique per target and failure: `renderflow-api-v42-20261125T135501Z`. */
export function incidentId(target: string, version: number, at: number): string {
  const stamp = new Date(at).toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z');
  return `${target}-v${version}-${stamp}`;
}

/** Impact in ms: from the first failure to recovery, or to `now` while still unresolved. */
export function impactMs(incident: Incident, now: number): number {
  return (incident.recoveredAt ?? incident.closedAt ?? now) - incident.impactStartedAt;
}
