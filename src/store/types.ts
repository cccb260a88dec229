import type { JournalEntry } from '../domain/journal.ts';
import type { Controls } from '../domain/policy.ts';
import type { Release } from '../domain/release.ts';
import type { ReleaseOrigin, ReleaseView, TargetState, Verdict } from '../domain/target-state.ts';
import type { Incident, IncidentClose, IncidentEvidence } from '../domain/incident.ts';
import type { LeaseFence } from '../domain/lease.ts';

export interface ReleaseRecord extends ReleaseView {
  target: string;
  verdictAt?: number;
  firstSeenAt: number;
}

/**
 * One operator action through the admin API: who, what, when, and how it ended. Refusals of
 * unauthenticated or unauthorised requests are one entry per source and minute, with a `count`.
 */
export interface AuditEntry {
  id?: number;
  at: number;
  actor: string;
  role: string;
  action: string;
  target?: string;
  /** The request's parameters (never a token). */
  params?: Record<string, unknown>;
  /** HTTP status of the answer, and a short outcome. */
  status: number;
  result: string;
  /** Requests this entry stands for; absent means one. */
  count?: number;
  /** The client's address. */
  source?: string;
}

/** Everything one guard step changes, written in one transaction before its actions run. */
export interface Transition {
  state: TargetState;
  verdicts: { version: number; verdict: Verdict; reason: string }[];
  origins: { version: number; origin: ReleaseOrigin }[];
  journal: JournalEntry[];
  openIncidents: Incident[];
  closeIncidents: IncidentClose[];
  /**
   * True when the step decided nothing (no action, same phase): only a probe round's tallies or the
   * error-rate counters moved. The store may commit it without waiting for the disk; losing it
   * to a power cut costs a few rounds of evidence, never a decision. Absent means durable.
   */
  progressOnly?: boolean;
}

/**
 * Durable state. Async so a PostgreSQL implementation can sit behind the same interface.
 * Writes are individually atomic; callers persist state *before* acting on it.
 */
export interface Store {
  /** Inserts releases not seen before and refreshes the status of known ones; never touches verdicts. */
  syncReleases(target: string, releases: readonly Release[], now: number): Promise<void>;
  /** Newest first. */
  listReleases(target: string, limit?: number): Promise<ReleaseRecord[]>;
  setVerdict(target: string, version: number, verdict: Verdict, reason: string, at: number): Promise<void>;
  setOrigin(target: string, version: number, origin: ReleaseOrigin): Promise<void>;
  setMigrationMarker(target: string, version: number, marker: number): Promise<void>;
  loadState(target: string): Promise<TargetState | undefined>;
  saveState(state: TargetState, now: number): Promise<void>;
  /**
   * Atomically applies a guard step's state, verdicts, origins and journal lines. With a `fence`
   * (several replicas), the write happens only if that lease is still held, in the same
   * transaction, and otherwise rejects with WD_ERR_LEASE_LOST: a replica that lost its lease can
   * never record a decision, so it can never act on one.
   */
  saveTransition(transition: Transition, now: number, fence?: LeaseFence): Promise<void>;
  /** Every target's saved state (the read model of targets another replica guards). */
  loadStates(): Promise<TargetState[]>;
  appendJournal(entry: JournalEntry): Promise<void>;
  getIncident(id: string): Promise<Incident | undefined>;
  /** Newest first; optionally one target's. */
  listIncidents(options?: { target?: string; limit?: number }): Promise<Incident[]>;
  addIncidentEvidence(id: string, evidence: IncidentEvidence): Promise<void>;
  /** The incident's timeline: journal entries tagged with it, oldest first. */
  incidentTimeline(id: string): Promise<JournalEntry[]>;
  appendAudit(entry: AuditEntry): Promise<void>;
  /** Newest first. */
  listAudit(limit?: number): Promise<AuditEntry[]>;
  /** Deletes entries from before `olderThan` and all but the newest `keep`; resolves with how many went. */
  pruneAudit(olderThan: number, keep: number): Promise<number>;
  /** Every stored scope's controls. */
  loadControls(): Promise<Record<string, Controls>>;
  saveControls(scope: string, controls: Controls, now: number): Promise<void>;
  /** Newest first. */
  listJournal(target?: string, limit?: number): Promise<JournalEntry[]>;
  /** Entries with an id above `afterId`, oldest first (how a replica follows what others decide). */
  journalAfter(afterId: number, limit: number): Promise<JournalEntry[]>;
  close(): Promise<void>;
}
