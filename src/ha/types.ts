/**
 * Several replicas sharing one PostgreSQL (docs/ha.md). Targets are guarded in shards (a target, or
 * a whole rollback group, whose members must roll back together): each shard has one owner at a
 * time, through a lease row that the owner renews. These are the interfaces the watchdog needs;
 * pg-coordination.ts implements them on PostgreSQL, tests use in-memory fakes.
 */

export interface LeaseTable {
  /** Records this replica as alive; returns how many replicas were seen within `ttlMs`. */
  heartbeat(replica: string, ttlMs: number): Promise<{ live: number }>;
  /** Extends this replica's unexpired leases among `shards`; returns those renewed with their epochs. */
  renew(replica: string, shards: readonly string[], ttlMs: number): Promise<Map<string, number>>;
  /**
   * Takes up to `limit` of `shards` that nobody holds, whose lease has expired, or whose lease this
   * replica itself still holds (after it fenced itself), preferring a stable per-replica order so
   * shards do not wander; returns those taken with their new epochs.
   */
  acquire(replica: string, shards: readonly string[], limit: number, ttlMs: number): Promise<Map<string, number>>;
  /** Gives shards up at once (their lease ends now), so another replica need not wait for expiry. */
  release(replica: string, shards: readonly string[]): Promise<void>;
  /** Every lease with its owner and whether it is still valid (status and tests). */
  owners(): Promise<Map<string, { owner: string; epoch: number; valid: boolean }>>;
  /** Forgets this replica (clean shutdown). */
  leave(replica: string): Promise<void>;
}

export type CommandKind = 'approve' | 'veto' | 'abort' | 'rollback' | 'mark' | 'poll';

/** An operator action taken by one replica for a target another replica owns. */
export interface Command {
  id: number;
  target: string;
  kind: CommandKind;
  params: Record<string, unknown>;
  requestedBy: string;
}

export type CommandOutcome =
  | { status: 'pending' }
  | { status: 'done'; result: Record<string, unknown> }
  | { status: 'failed'; error: { code: string; message: string; statusCode: number } };

export interface CommandQueue {
  submit(target: string, kind: CommandKind, params: Record<string, unknown>, requestedBy: string): Promise<number>;
  /**
   * Claims the pending commands for `targets` (those the replica owns), oldest first. A claimed
   * command is never handed out again, so it runs at most once; the runner's fenced transitions
   * make sure it only takes effect while the lease still holds.
   */
  claim(replica: string, targets: readonly string[], limit: number): Promise<Command[]>;
  complete(id: number, replica: string, outcome: Exclude<CommandOutcome, { status: 'pending' }>): Promise<void>;
  outcome(id: number): Promise<CommandOutcome>;
  /** Withdraws a command nobody has claimed yet; false if it was already claimed. */
  cancel(id: number): Promise<boolean>;
}
