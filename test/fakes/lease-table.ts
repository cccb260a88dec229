/**
 * In-memory LeaseTable with the PostgreSQL implementation's rules (expiry on one shared clock,
 * epochs that rise on every change of hands), for testing the lease manager without a database.
 * `failing` makes every call reject, as a replica cut off from the database would see.
 */
import type { LeaseTable } from '../../src/ha/types.ts';

export class FakeLeaseTable implements LeaseTable {
  readonly leases = new Map<string, { owner: string; epoch: number; expiresAt: number }>();
  readonly seen = new Map<string, number>();
  failing = false;
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  #check(): void {
    if (this.failing) throw new Error('connection lost');
  }

  async heartbeat(replica: string, ttlMs: number): Promise<{ live: number }> {
    this.#check();
    this.seen.set(replica, this.#now());
    return { live: [...this.seen.values()].filter((at) => at > this.#now() - ttlMs).length };
  }

  async renew(replica: string, shards: readonly string[], ttlMs: number): Promise<Map<string, number>> {
    this.#check();
    const renewed = new Map<string, number>();
    for (const shard of shards) {
      const lease = this.leases.get(shard);
      if (lease?.owner === replica && lease.expiresAt > this.#now()) {
        lease.expiresAt = this.#now() + ttlMs;
        renewed.set(shard, lease.epoch);
      }
    }
    return renewed;
  }

  async acquire(replica: string, shards: readonly string[], limit: number, ttlMs: number): Promise<Map<string, number>> {
    this.#check();
    const taken = new Map<string, number>();
    for (const shard of shards) {
      if (taken.size >= limit) break;
      const lease = this.leases.get(shard);
      if (lease && lease.expiresAt > this.#now() && lease.owner !== replica) continue;
      const epoch = (lease?.epoch ?? 0) + 1;
      this.leases.set(shard, { owner: replica, epoch, expiresAt: this.#now() + ttlMs });
      taken.set(shard, epoch);
    }
    return taken;
  }

  async release(replica: string, shards: readonly string[]): Promise<void> {
    this.#check();
    for (const shard of shards) {
      const lease = this.leases.get(shard);
      if (lease?.owner === replica) lease.expiresAt = 0;
    }
  }

  async owners(): Promise<Map<string, { owner: string; epoch: number; valid: boolean }>> {
    return new Map([...this.leases].map(([shard, l]) => [shard, { owner: l.owner, epoch: l.epoch, valid: l.expiresAt > this.#now() }]));
  }

  async leave(replica: string): Promise<void> {
    this.seen.delete(replica);
  }

  /** Which replica holds each shard validly now. */
  validOwners(): Map<string, string> {
    return new Map([...this.leases].filter(([, l]) => l.expiresAt > this.#now()).map(([s, l]) => [s, l.owner]));
  }
}
