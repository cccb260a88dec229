/** What an operator decides about automatic rollbacks: the mode, pause, and the limits on them. */

export type Mode = 'auto' | 'approve' | 'dry-run';

export type HoldKind =
  | 'no-known-good' // nothing earlier passed its guard: never guess
  | 'migration' // rolling back would cross a database migration
  | 'dry-run' // judged and recorded, never deployed
  | 'paused' // an operator paused this target or the whole watchdog
  | 'approval' // mode approve: every rollback waits for a human
  | 'rate-limit' // cooldown or the cap on automatic rollbacks per period
  | 'group' // the target's rollback group rolls back together, in order
  | 'config-change' // a config-only release failed: redeploying an image cannot undo a secrets change
  | 'evidence-conflict'; // the watchdog cannot reach the app, yet Fly's checks pass on every machine

export interface RollbackPolicy {
  mode: Mode;
  paused: boolean;
  /** Minimum time between two automatic rollbacks of one target. */
  cooldownMs: number;
  /** At most `count` automatic rollbacks of one target within `periodMs`. */
  maxRollbacks: { count: number; periodMs: number };
}

/** Operator controls for one scope (`*` = global, else a target name); survive restarts. */
export interface Controls {
  paused?: boolean;
  mode?: 'auto' | 'approve' | 'dry-run';
  /** Who set them, when and why (shown in status and the audit trail). */
  by?: string;
  at?: number;
  reason?: string;
}
