/**
 * The lease manager on a fake table and hand-driven time: sharing, takeover after expiry, and the
 * fence that stops a replica acting before its leases can expire in the database.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/infra/clock.ts';
import { LeaseManager, type LossReason } from '../../src/ha/lease-manager.ts';
import type { LeaseFence } from '../../src/domain/lease.ts';
import { captureLogger } from '../fakes/logger.ts';
import { FakeLeaseTable } from '../fakes/lease-table.ts';

const TTL = 3_000;
const SHARDS = Array.from({ length: 9 }, (_, i) => `t${i}`);

interface Replica {
  manager: LeaseManager;
  acquired: LeaseFence[];
  lost: { shard: string; reason: LossReason }[];
}

function replica(table: FakeLeaseTable, id: string, busy: Set<string> = new Set()): Replica {
  const acquired: LeaseFence[] = [];
  const lost: { shard: string; reason: LossReason }[] = [];
  const manager = new LeaseManager({
    table,
    replicaId: id,
    shards: SHARDS,
    ttlMs: TTL,
    clock: systemClock,
    monotonic: () => Date.now(),
    logger: captureLogger().logger,
    isQuiet: (s) => !busy.has(s),
    onAcquired: async (shard, fence) => void acquired.push(fence),
    onLost: (shard, reason) => void lost.push({ shard, reason }),
  });
  return { manager, acquired, lost };
}

describe('LeaseManager', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('announces itself first, then takes its fair share; replicas starting together split the shards', async () => {
    const table = new FakeLeaseTable(() => Date.now());
    const [a, b, c] = ['A', 'B', 'C'].map((id) => replica(table, id));
    for (const r of [a, b, c]) await r!.manager.cycle();
    expect(table.leases.size).toBe(0);
    for (const r of [a, b, c]) await r!.manager.cycle();
    expect([a, b, c].map((r) => r!.manager.owned().length)).toEqual([3, 3, 3]);
    const owners = table.validOwners();
    expect(owners.size).toBe(9);
    expect(new Set(SHARDS.map((s) => owners.get(s))).size).toBe(3);
    expect(a!.manager.fenceFor(a!.manager.owned()[0]!)).toMatchObject({ owner: 'A', epoch: 1 });
  });

  it('a replica alone takes everything, then gives the excess back when others join', async () => {
    const table = new FakeLeaseTable(() => Date.now());
    const a = replica(table, 'A');
    await a.manager.cycle();
    await a.manager.cycle();
    expect(a.manager.owned()).toHaveLength(9);
    const b = replica(table, 'B');
    await b.manager.cycle(); // B announces itself
    await a.manager.cycle(); // A sees two replicas: keeps 5, releases 4
    expect(a.manager.owned()).toHaveLength(5);
    expect(a.lost.map((l) => l.reason)).toEqual(['released', 'released', 'released', 'released']);
    await b.manager.cycle();
    expect(b.manager.owned()).toHaveLength(4);
    expect(table.validOwners().size).toBe(9);
  });

  it('never gives back a shard in the middle of a rollback', async () => {
    const table = new FakeLeaseTable(() => Date.now());
    const busy = new Set(SHARDS);
    const a = replica(table, 'A', busy);
    await a.manager.cycle();
    await a.manager.cycle();
    await replica(table, 'B').manager.cycle();
    await a.manager.cycle();
    expect(a.manager.owned()).toHaveLength(9);
  });

  it('takes over a dead replica’s shards once its leases expire, with a higher epoch', async () => {
    const table = new FakeLeaseTable(() => Date.now());
    const a = replica(table, 'A');
    const b = replica(table, 'B');
    for (let i = 0; i < 2; i++) for (const r of [a, b]) await r.manager.cycle();
    const fromA = a.manager.owned();
    // A dies (no more rounds). Before expiry B takes nothing of A's.
    vi.advanceTimersByTime(TTL - 1);
    await b.manager.cycle();
    expect(b.manager.owned()).toHaveLength(9 - fromA.length);
    vi.advanceTimersByTime(2);
    await b.manager.cycle();
    expect(b.manager.owned()).toHaveLength(9);
    const taken = b.acquired.filter((f) => fromA.includes(f.shard));
    expect(taken.map((f) => f.epoch)).toEqual(fromA.map(() => 2));
  });

  it('fences before the lease can expire when renewals fail, and reports every shard lost', async () => {
    const table = new FakeLeaseTable(() => Date.now());
    const a = replica(table, 'A');
    await a.manager.cycle();
    await a.manager.cycle();
    a.manager.start();
    const renewedAt = Date.now();
    table.failing = true;
    // Within 2/3 of the ttl the leases are still trusted.
    await vi.advanceTimersByTimeAsync(a.manager.fenceAfterMs - 300);
    expect(a.manager.fenceFor('t0')).toBeDefined();
    expect(a.lost).toEqual([]);
    await vi.advanceTimersByTimeAsync(600);
    expect(a.manager.fenceFor('t0')).toBeUndefined();
    expect(a.lost).toHaveLength(9);
    expect(a.lost.every((l) => l.reason === 'fenced')).toBe(true);
    // ...strictly before any other replica could take them over in the database.
    expect(Date.now()).toBeLessThan(renewedAt + TTL);
    expect([...table.leases.values()].every((l) => l.expiresAt > Date.now())).toBe(true);
    // The database answers again: the next round retakes the still-valid leases with a new epoch,
    // instead of leaving them unguarded until they expire.
    table.failing = false;
    await vi.advanceTimersByTimeAsync(a.manager.renewEveryMs + 10);
    expect(a.manager.owned()).toHaveLength(9);
    expect(a.manager.fenceFor('t0')).toMatchObject({ owner: 'A', epoch: 2 });
    await a.manager.halt();
  });

  it('a lease lost in the database (expired and taken) is reported, and the shard is not acted on', async () => {
    const table = new FakeLeaseTable(() => Date.now());
    const a = replica(table, 'A');
    await a.manager.cycle();
    await a.manager.cycle();
    // Someone else holds t0 now (as after A was paused past its ttl).
    table.leases.set('t0', { owner: 'B', epoch: 2, expiresAt: Date.now() + TTL });
    await a.manager.cycle();
    expect(a.lost).toEqual([{ shard: 't0', reason: 'expired' }]);
    expect(a.manager.fenceFor('t0')).toBeUndefined();
  });

  it('stopping gives every lease back at once', async () => {
    const table = new FakeLeaseTable(() => Date.now());
    const a = replica(table, 'A');
    await a.manager.cycle();
    await a.manager.cycle();
    await a.manager.releaseAll();
    expect(table.validOwners().size).toBe(0);
    expect(a.lost.every((l) => l.reason === 'stopping')).toBe(true);
    expect(table.seen.has('A')).toBe(false);
  });

  it('gives back a shard it could not open, rather than hold it unguarded', async () => {
    const table = new FakeLeaseTable(() => Date.now());
    const manager = new LeaseManager({
      table,
      replicaId: 'A',
      shards: ['t0', 't1'],
      ttlMs: TTL,
      clock: systemClock,
      logger: captureLogger().logger,
      isQuiet: () => true,
      onAcquired: async (shard) => {
        if (shard === 't0') throw new Error('store down');
      },
      onLost: () => {},
    });
    await manager.cycle();
    await manager.cycle();
    expect(manager.owned()).toEqual(['t1']);
    expect(table.validOwners()).toEqual(new Map([['t1', 'A']]));
  });
});
