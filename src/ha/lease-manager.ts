/**
 * One replica's side of shard ownership. Every `ttl / 3` it records itself as alive, renews the
 * leases it holds, hands back what exceeds its fair share and takes free or expired shards up to
 * it. A shard taken calls `onAcquired` (the watchdog opens its runner from the stored state, which
 * finishes whatever rollback the previous owner left); a shard lost calls `onLost` (its runner
 * stops at once).
 *
 * Fencing: a lease is valid in the database until `ttl` after the renewal started. This replica
 * trusts it only until `fenceAfter` (2/3 of ttl) after the last renewal that succeeded, measured on
 * its own monotonic clock; past that it stops every runner and kills any deploy it started. The
 * last third of the ttl is the margin for that to finish before another replica may take over.
 * The store also checks the lease inside every guard transition, so even a replica that missed its
 * own deadline (a paused VM) cannot record, and so cannot act on, a decision.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { Clock } from '../infra/clock.ts';
import type { Logger } from '../infra/log.ts';
import { planBalance } from './balance.ts';
import type { LeaseFence } from '../domain/lease.ts';
import type { LeaseTable } from './types.ts';

export type LossReason = 'expired' | 'fenced' | 'released' | 'stopping';

export interface LeaseManagerDeps {
  table: LeaseTable;
  replicaId: string;
  shards: readonly string[];
  ttlMs: number;
  clock: Clock;
  /** Milliseconds that never jump (performance.now by default); the fence deadline uses it. */
  monotonic?: () => number;
  logger: Logger;
  isQuiet: (shard: string) => boolean;
  onAcquired: (shard: string, fence: LeaseFence) => Promise<void>;
  onLost: (shard: string, reason: LossReason) => void;
}

/** A replica id unique per process and readable in logs: host, pid and a random suffix. */
export function defaultReplicaId(): string {
  return `${hostname()}-${process.pid}-${randomBytes(3).toString('hex')}`;
}

export class LeaseManager {
  readonly #deps: LeaseManagerDeps;
  readonly #monotonic: () => number;
  readonly #owned = new Map<string, LeaseFence>();
  readonly #stop = new AbortController();
  /** Monotonic time until which this replica may act on its leases. */
  #validUntil = Number.NEGATIVE_INFINITY;
  #cycles = 0;
  #loop: Promise<void> | undefined;
  #fenceLoop: Promise<void> | undefined;
  /** Shards taken and being opened, one after another (never awaited by the renewal rounds). */
  #adopting: Promise<void> = Promise.resolve();

  constructor(deps: LeaseManagerDeps) {
    this.#deps = deps;
    this.#monotonic = deps.monotonic ?? (() => performance.now());
  }

  get replicaId(): string {
    return this.#deps.replicaId;
  }

  get renewEveryMs(): number {
    return Math.max(1, Math.floor(this.#deps.ttlMs / 3));
  }

  get fenceAfterMs(): number {
    return Math.floor((this.#deps.ttlMs * 2) / 3);
  }

  /** The fence token for a shard this replica holds and may still act on; undefined otherwise. */
  fenceFor(shard: string): LeaseFence | undefined {
    return this.#monotonic() < this.#validUntil ? this.#owned.get(shard) : undefined;
  }

  owned(): string[] {
    return [...this.#owned.keys()];
  }

  /** True once the first full round (including acquisition) has run. */
  get settled(): boolean {
    return this.#cycles >= 2;
  }

  start(): void {
    this.#loop ??= this.#run();
    this.#fenceLoop ??= this.#watchFence();
  }

  /** One round, and the opening of whatever it took; exported for tests that step it by hand. */
  async cycle(): Promise<void> {
    await this.#round();
    await this.#adopting;
  }

  /**
   * True while this replica holds `shard` under `epoch` (whether or not it may act on it right now):
   * lets the caller of `onAcquired` check, after its awaits, that the shard was not lost meanwhile.
   */
  holds(shard: string, epoch: number): boolean {
    return this.#owned.get(shard)?.epoch === epoch;
  }

  async #round(): Promise<void> {
    const { table, replicaId, ttlMs, shards, logger } = this.#deps;
    const started = this.#monotonic();
    const { live } = await table.heartbeat(replicaId, ttlMs);
    const held = [...this.#owned.keys()];
    const renewed = await table.renew(replicaId, held, ttlMs);
    // Every lease still held now runs until at least started + ttl in the database.
    this.#validUntil = started + this.fenceAfterMs;
    for (const shard of held) {
      const epoch = renewed.get(shard);
      if (epoch === undefined || epoch !== this.#owned.get(shard)?.epoch) this.#lose(shard, 'expired');
    }
    this.#cycles++;
    // The first round only announces this replica, so replicas starting together see each other
    // before anyone takes shards (otherwise the first one up would take them all, then give back).
    if (this.#cycles === 1) return;
    const plan = planBalance({ shards: shards.length, liveReplicas: live, owned: [...this.#owned.keys()], isQuiet: this.#deps.isQuiet });
    if (plan.release.length > 0) {
      for (const shard of plan.release) this.#lose(shard, 'released');
      await table.release(replicaId, plan.release);
      logger.info({ released: plan.release, fairShare: plan.fairShare, live }, 'gave shards back to share them with other replicas');
    }
    if (plan.acquire > 0) {
      const free = shards.filter((s) => !this.#owned.has(s) && !plan.release.includes(s));
      const taken = await table.acquire(replicaId, free, plan.acquire, ttlMs);
      for (const [shard, epoch] of taken) {
        const fence = { shard, owner: replicaId, epoch };
        this.#owned.set(shard, fence);
        // Opened off the renewal path: opening a shard reads and writes the store, and ten of them
        // in a row on a busy host took longer than the fence margin, so the round after (the next
        // renewal) came too late and the replica fenced itself with nothing wrong (found by
        // test/integration/replicas.test.ts: dozens of self-fences a minute with 3 × 10 targets).
        this.#adopting = this.#adopting.then(() => this.#adopt(fence));
      }
      if (taken.size > 0) logger.info({ acquired: [...taken.keys()], fairShare: plan.fairShare, live }, 'acquired shard leases');
    }
  }

  /** Calls `onAcquired` for a shard still held; gives it back if it cannot be opened. */
  async #adopt(fence: LeaseFence): Promise<void> {
    const { table, replicaId, logger } = this.#deps;
    if (this.#stop.signal.aborted || !this.holds(fence.shard, fence.epoch)) return;
    try {
      await this.#deps.onAcquired(fence.shard, fence);
    } catch (err) {
      // Lost meanwhile, or stopping (releaseAll gives it back): nothing to do here.
      if (this.#stop.signal.aborted || !this.holds(fence.shard, fence.epoch)) return;
      // Could not open it (the store failed): give it back rather than hold it unguarded.
      logger.error({ err, shard: fence.shard }, 'could not start guarding an acquired shard; releasing it');
      this.#owned.delete(fence.shard);
      await table.release(replicaId, [fence.shard]).catch(() => undefined);
    }
  }

  /** Stops the rounds: no shard is taken or renewed from here on. */
  async halt(): Promise<void> {
    this.#stop.abort(new Error('stopping'));
    await this.#loop;
    await this.#fenceLoop;
    await this.#adopting;
  }

  /** After halt(): gives every lease back (so others take over at once) and forgets this replica. */
  async releaseAll(): Promise<void> {
    await this.halt();
    const held = [...this.#owned.keys()];
    for (const shard of held) this.#lose(shard, 'stopping');
    await this.#deps.table.release(this.#deps.replicaId, held).catch((err) => this.#deps.logger.warn({ err }, 'could not release leases at shutdown; they expire on their own'));
    await this.#deps.table.leave(this.#deps.replicaId).catch(() => undefined);
  }

  #lose(shard: string, reason: LossReason): void {
    if (!this.#owned.delete(shard)) return;
    this.#deps.onLost(shard, reason);
  }

  async #run(): Promise<void> {
    const { clock, logger } = this.#deps;
    const signal = this.#stop.signal;
    while (!signal.aborted) {
      const started = clock.now();
      try {
        await this.#round();
      } catch (err) {
        logger.warn({ err, validForMs: Math.max(0, Math.round(this.#validUntil - this.#monotonic())) }, 'lease round failed; retrying');
      }
      try {
        await clock.sleep(Math.max(0, this.renewEveryMs - (clock.now() - started)), signal);
      } catch {
        return;
      }
    }
  }

  /** Independent of the rounds (which may hang on a dead connection): fences on time, whatever happens. */
  async #watchFence(): Promise<void> {
    const { clock, logger } = this.#deps;
    const signal = this.#stop.signal;
    const every = Math.max(1, Math.floor(this.#deps.ttlMs / 12));
    while (!signal.aborted) {
      try {
        await clock.sleep(every, signal);
      } catch {
        return;
      }
      if (this.#owned.size > 0 && this.#monotonic() >= this.#validUntil) {
        const held = [...this.#owned.keys()];
        logger.error({ shards: held.length }, 'leases could not be renewed in time: stopped acting on every target (fenced) until the database answers again');
        for (const shard of held) this.#lose(shard, 'fenced');
      }
    }
  }
}
