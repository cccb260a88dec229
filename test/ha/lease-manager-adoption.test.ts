/**
 * Opening acquired shards happens off the renewal path: however slow opening is (each shard reads
 * and writes the store), the rounds keep renewing on time, so a busy replica does not fence
 * itself; and a shard lost before or while it is opened is never handed to the watchdog as held.
 */
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { systemClock } from '../../src/infra/clock.ts';
import { LeaseManager, type LossReason } from '../../src/ha/lease-manager.ts';
import type { LeaseFence } from '../../src/domain/lease.ts';
import { captureLogger } from '../fakes/logger.ts';
import { FakeLeaseTable } from '../fakes/lease-table.ts';

const TTL = 3_000;
const SHARDS = Array.from({ length: 10 }, (_, i) => `t${i}`);

function manager(table: FakeLeaseTable, onAcquired: (shard: string, fence: LeaseFence) => Promise<void>) {
  const lost: { shard: string; reason: LossReason }[] = [];
  const m = new LeaseManager({
    table,
    replicaId: 'A',
    shards: SHARDS,
    ttlMs: TTL,
    clock: systemClock,
    monotonic: () => Date.now(),
    logger: captureLogger().logger,
    isQuiet: () => true,
    onAcquired,
    onLost: (shard, reason) => void lost.push({ shard, reason }),
  });
  return { m, lost };
}

describe('LeaseManager: opening shards', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('when opening the shards takes longer than the fence margin then the renewals go on and nothing is fenced', async () => {
    const table = new FakeLeaseTable(() => Date.now());
    const opened: string[] = [];
    // 10 shards × 500 ms: 5 s of opening, more than 2/3 of the ttl.
    const { m, lost } = manager(table, async (shard) => {
      await new Promise((resolve) => setTimeout(resolve, 500));
      opened.push(shard);
    });
    m.start();
    await vi.advanceTimersByTimeAsync(TTL * 3);
    expect(opened).toHaveLength(10);
    expect(lost).toEqual([]);
    expect(m.owned()).toHaveLength(10);
    expect(m.fenceFor('t9')).toMatchObject({ owner: 'A', epoch: 1 });
    expect([...table.leases.values()].every((l) => l.owner === 'A' && l.expiresAt > Date.now())).toBe(true);
    await m.halt();
  });

  it('when a shard is lost while it is opened then holds() says so (the watchdog drops what it opened)', async () => {
    const table = new FakeLeaseTable(() => Date.now());
    let release: () => void = () => {};
    const seen: boolean[] = [];
    const { m } = manager(table, async (shard, fence) => {
      if (shard !== 't0') return;
      await new Promise<void>((resolve) => (release = resolve));
      seen.push(m.holds(fence.shard, fence.epoch));
    });
    await m.cycle(); // announces
    const round = m.cycle(); // takes all ten, starts opening t0 (first in line)
    await vi.advanceTimersByTimeAsync(0);
    expect(m.holds('t0', 1)).toBe(true);
    // Another replica holds t0 now (A was paused past its ttl): A's next round finds it lost.
    table.leases.set('t0', { owner: 'B', epoch: 2, expiresAt: Date.now() + TTL });
    const next = m.cycle();
    await vi.advanceTimersByTimeAsync(0);
    release();
    await Promise.all([round, next]);
    expect(seen).toEqual([false]);
    expect(m.holds('t0', 1)).toBe(false);
  });

  it('when a shard is lost before its turn to be opened then it is not opened at all', async () => {
    const table = new FakeLeaseTable(() => Date.now());
    const opened: string[] = [];
    let gate: () => void = () => {};
    const { m } = manager(table, async (shard) => {
      if (opened.length === 0) await new Promise<void>((resolve) => (gate = resolve));
      opened.push(shard);
    });
    await m.cycle();
    const round = m.cycle(); // opening the first shard waits on the gate; the other nine queue
    await vi.advanceTimersByTimeAsync(0);
    const queued = m.owned().slice(1);
    for (const shard of queued) table.leases.set(shard, { owner: 'B', epoch: 2, expiresAt: Date.now() + TTL });
    const next = m.cycle(); // finds the nine lost
    await vi.advanceTimersByTimeAsync(0);
    gate();
    await Promise.all([round, next]);
    expect(opened).toHaveLength(1);
  });
});
