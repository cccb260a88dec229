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
export function impactMs(incident: Pick<Incident, 'impactStartedAt' | 'recoveredAt' | 'closedAt'>, now: number): number {
  return (incident.recoveredAt ?? incident.closedAt ?? now) - incident.impactStartedAt;
}

/** What the guard keeps of its open incident, enough to close it without reading it back. */
export interface IncidentHandle {
  id: string;
  open: boolean;
  version?: number;
  reason?: string;
  /** Absent only in states saved before it was kept; the runner fills it in from the store. */
  impactStartedAt?: number;
}

/** How an incident ended; the store applies it as it is. */
export interface IncidentClose {
  id: string;
  outcome: IncidentOutcome;
  closedAt: number;
  recoveredAt?: number;
  impactMs: number;
  /** Users were affected for longer than the post-mortem threshold (the runbook's 5 minutes). */
  postmortemRequired: boolean;
}

/** A new incident, open from its first failed measurement. */
export function openIncident(fields: Omit<Incident, 'status' | 'postmortemRequired'>): Incident {
  return { ...fields, status: 'open', postmortemRequired: false };
}

/**
 * The one place the post-mortem rule lives: impact runs from the first failed measurement to
 * recovery (a verified rollback) or, unrecovered, to the close; over `postmortemAfterMs` needs one.
 */
export function closeIncident(
  incident: Pick<IncidentHandle, 'id'> & { impactStartedAt: number },
  outcome: IncidentOutcome,
  closedAt: number,
  postmortemAfterMs: number,
  recoveredAt?: number,
): IncidentClose {
  const impact = impactMs({ impactStartedAt: incident.impactStartedAt, closedAt, ...(recoveredAt !== undefined && { recoveredAt }) }, closedAt);
  return { id: incident.id, outcome, closedAt, ...(recoveredAt !== undefined && { recoveredAt }), impactMs: impact, postmortemRequired: impact > postmortemAfterMs };
}

/** The stored incident once `close` is applied; undefined when it was already closed (a close applies once). */
export function applyClose(incident: Incident, close: IncidentClose): Incident | undefined {
  if (incident.status === 'closed') return undefined;
  const recoveredAt = close.recoveredAt ?? incident.recoveredAt;
  return {
    ...incident,
    status: 'closed',
    outcome: close.outcome,
    closedAt: close.closedAt,
    ...(recoveredAt !== undefined && { recoveredAt }),
    postmortemRequired: close.postmortemRequired,
  };
}
