import { openRunner } from './open-runner.ts';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SerialQueue } from '../../../src/guard/runner/serial-queue.ts';
import { image } from '../step/fixtures.ts';

describe('SerialQueue', () => {
  it('runs tasks one at a time in order, and a failed task fails only its own caller', async () => {
    const queue = new SerialQueue();
    const ran: string[] = [];
    const first = queue.run(async () => {
      ran.push('first');
      throw new Error('disk I/O error');
    });
    const second = queue.run(async () => {
      ran.push('second');
      return 2;
    });
    await expect(first).rejects.toThrow('disk I/O error');
    await expect(second).resolves.toBe(2);
    expect(ran).toEqual(['first', 'second']);
  });
});

describe('the runner after a failed event', () => {
  beforeEach(() => vi.useFakeTimers({ now: 1_000_000 }));
  afterEach(() => vi.useRealTimers());

  it('takes in the next event after a mark whose write failed', async () => {
    const { runner, platform, store } = await openRunner();
    await runner.pollReleases();
    await runner.command({ kind: 'abort', by: 'ops' });
    const saveTransition = store.saveTransition.bind(store);
    let failNext = true;
    store.saveTransition = async (...args) => {
      if (failNext) {
        failNext = false;
        throw new Error('disk I/O error');
      }
      return saveTransition(...args);
    };
    await expect(runner.command({ kind: 'mark', version: 1, verdict: 'good', by: 'ops' })).rejects.toThrow('disk I/O error');
    platform.release('api', image(2));
    await runner.pollReleases();
    expect(runner.state).toMatchObject({ phase: 'guarding', guard: { release: { version: 2 } } });
    await runner.stop(0);
  });
});
