/** The decision journal's record type. */

/** One line of a target's decision journal: what was seen or decided, and why. */
export interface JournalEntry {
  id?: number;
  target: string;
  /** Set while the target has an open incident: the entry is part of its timeline. */
  incidentId?: string;
  at: number;
  kind: string;
  message: string;
  data?: Record<string, unknown>;
}
