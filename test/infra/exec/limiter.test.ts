import { describe, expect, it } from 'vitest';
import { Limiter, LimiterFullError } from '../../../src/infra/exec/limiter.ts';

/** Work that finishes when the test says so, recording when it started. */
function gate(log: string[], name: string) {
  let open!: () => void;
  const done = new Promise<void>((resolve) => (open = resolve));
  return { work: async () => { log.push(name); await done; return name; }, open };
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

describe('Limiter', () => {
  it('runs at most maxConcurrent at once; the rest start, in order, as slots free', async () => {
    const limiter = new Limiter({ maxConcurrent: 2, maxQueued: 10 });
    const log: string[] = [];
    const gates = ['a', 'b', 'c', 'd'].map((n) => gate(log, n));
    const runs = gates.map((g) => limiter.run(g.work));
    await tick();
    expect(log).toEqual(['a', 'b']);
    expect({ active: limiter.active, queued: limiter.queued }).toEqual({ active: 2, queued: 2 });
    gates[1]!.open();
    await tick();
    expect(log).toEqual(['a', 'b', 'c']);
    for (const g of gates) g.open();
    expect(await Promise.all(runs)).toEqual(['a', 'b', 'c', 'd']);
    expect({ active: limiter.active, queued: limiter.queued }).toEqual({ active: 0, queued: 0 });
  });

  it('starts queued urgent work before queued routine work', async () => {
    const limiter = new Limiter({ maxConcurrent: 1, maxQueued: 10 });
    const log: string[] = [];
    const first = gate(log, 'running');
    const running = limiter.run(first.work);
    const later = [gate(log, 'poll-1'), gate(log, 'poll-2'), gate(log, 'deploy')];
    for (const g of later) g.open();
    const queued = [
      limiter.run(later[0]!.work, { lane: 'routine' }),
      limiter.run(later[1]!.work, { lane: 'routine' }),
      limiter.run(later[2]!.work, { lane: 'urgent' }),
    ];
    first.open();
    await Promise.all([running, ...queued]);
    expect(log).toEqual(['running', 'deploy', 'poll-1', 'poll-2']);
  });

  it('when the queue is full then refuses at once with WD_ERR_PLATFORM_BUSY and starts nothing', async () => {
    const limiter = new Limiter({ maxConcurrent: 1, maxQueued: 1 });
    const log: string[] = [];
    const a = gate(log, 'a');
    const b = gate(log, 'b');
    const running = limiter.run(a.work);
    const waiting = limiter.run(b.work);
    await expect(limiter.run(async () => 'c', { what: 'fly releases' })).rejects.toMatchObject({ code: 'WD_ERR_PLATFORM_BUSY', name: 'LimiterFullError' });
    expect(new LimiterFullError('x', 1)).toBeInstanceOf(Error);
    a.open();
    b.open();
    await Promise.all([running, waiting]);
    expect(log).toEqual(['a', 'b']);
  });

  it('an aborted waiter leaves the queue, rejects with the reason and never runs', async () => {
    const limiter = new Limiter({ maxConcurrent: 1, maxQueued: 5 });
    const log: string[] = [];
    const a = gate(log, 'a');
    const running = limiter.run(a.work);
    const controller = new AbortController();
    const reason = new Error('stopping');
    const waiting = limiter.run(async () => log.push('never'), { signal: controller.signal });
    expect(limiter.queued).toBe(1);
    controller.abort(reason);
    await expect(waiting).rejects.toBe(reason);
    expect(limiter.queued).toBe(0);
    a.open();
    await running;
    expect(log).toEqual(['a']);
    expect(limiter.active).toBe(0);
  });

  it('an already aborted signal is refused before taking a slot', async () => {
    const limiter = new Limiter({ maxConcurrent: 1, maxQueued: 5 });
    await expect(limiter.run(async () => 1, { signal: AbortSignal.abort(new Error('gone')) })).rejects.toThrow('gone');
    expect(limiter.active).toBe(0);
  });

  it('a failing run frees its slot for the next one', async () => {
    const limiter = new Limiter({ maxConcurrent: 1, maxQueued: 5 });
    const failing = limiter.run(async () => {
      throw new Error('exit 1');
    });
    const next = limiter.run(async () => 'next');
    await expect(failing).rejects.toThrow('exit 1');
    await expect(next).resolves.toBe('next');
    expect(limiter.active).toBe(0);
  });

  it.each([
    [{ maxConcurrent: 0, maxQueued: 1 }],
    [{ maxConcurrent: 1.5, maxQueued: 1 }],
    [{ maxConcurrent: 1, maxQueued: -1 }],
  ])('when options are %j then it refuses to build', (options) => {
    expect(() => new Limiter(options)).toThrow(RangeError);
  });
});
