/**
 * The retry and queue under SqliteStore (src/store/sqlite-lock-wait.ts), with attempts that fail
 * as node:sqlite does: cases a real second connection cannot easily produce (a busy read, an
 * extended busy code, a listener that throws).
 */
import { describe, expect, it } from 'vitest';
import { isBusy, LockWaitingWrites, readWhileBusy } from '../../src/store/sqlite-lock-wait.ts';

/** What node:sqlite throws for SQLITE_BUSY (or an extended code of it). */
const busy = (errcode = 5) => Object.assign(new Error('database is locked'), { code: 'ERR_SQLITE_ERROR', errcode, errstr: 'database is locked' });

/** An attempt that is busy `times` times, then returns `value`; counts its calls. */
function busyFor<T>(times: number, value: T) {
  const attempt = () => {
    attempt.calls++;
    if (attempt.calls <= times) throw busy();
    return value;
  };
  attempt.calls = 0;
  return attempt;
}

describe('isBusy', () => {
  it('knows SQLITE_BUSY and its extended codes, and nothing else', () => {
    expect([5, 261, 517, 773].map((code) => isBusy(busy(code)))).toEqual([true, true, true, true]);
    expect([isBusy(busy(6)), isBusy(busy(19)), isBusy(new Error('x')), isBusy(undefined), isBusy(null)]).toEqual([false, false, false, false, false]);
  });
});

describe('readWhileBusy', () => {
  it('a read that finds the database busy is tried again until it is not', async () => {
    const read = busyFor(3, 'rows');
    expect(await readWhileBusy('listAudit', read, 5_000)).toBe('rows');
    expect(read.calls).toBe(4);
  });

  it('fails at once on any other error, and with WD_ERR_STORE_LOCKED past its bound', async () => {
    await expect(readWhileBusy('listAudit', () => { throw new Error('no such table'); }, 5_000)).rejects.toThrow('no such table');
    await expect(readWhileBusy('listAudit', busyFor(1_000, 'rows'), 50)).rejects.toMatchObject({ code: 'WD_ERR_STORE_LOCKED', message: expect.stringContaining('listAudit') });
  });
});

describe('LockWaitingWrites', () => {
  const writes = (stalled: () => void = () => undefined, recovered: () => void = () => undefined) =>
    new LockWaitingWrites({ maxWaitMs: 5_000, stallAfterMs: 0, listener: { stalled, recovered } });

  it('runs a write at once, in the same tick, when nothing waits', async () => {
    const queue = writes();
    let ran = false;
    const done = queue.run('w', () => (ran = true));
    expect(ran).toBe(true);
    expect(queue.quiet).toBe(true);
    await done;
  });

  it('a write called while another waits queues behind it, even if the lock is free by then', async () => {
    const queue = writes();
    const order: string[] = [];
    const first = busyFor(3, 'first');
    const a = queue.run('a', () => order.push(first()));
    expect(queue.quiet).toBe(false);
    const b = queue.run('b', () => order.push('second'));
    await Promise.all([a, b]);
    expect(order).toEqual(['first', 'second']);
    expect(queue.quiet).toBe(true);
  });

  it('a failing write fails only its caller; the queue goes on', async () => {
    const queue = writes();
    const a = queue.run('a', busyFor(2, undefined));
    const b = queue.run('b', () => {
      throw new Error('constraint');
    });
    const c = queue.run('c', () => 'c');
    await expect(b).rejects.toThrow('constraint');
    expect(await Promise.all([a, c])).toEqual([undefined, 'c']);
  });

  it('a listener that throws never turns a write that went through into a failure', async () => {
    const queue = writes(
      () => {
        throw new Error('listener broke');
      },
      () => {
        throw new Error('listener broke');
      },
    );
    expect(await queue.run('a', busyFor(2, 'written'))).toBe('written');
  });
});
