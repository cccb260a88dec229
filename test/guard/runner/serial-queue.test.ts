import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { SerialQueue } from '../../../src/guard/runner/serial-queue.ts';
import { Readiness } from '../../../src/infra/readiness.ts';
import { captureLogger } from '../../fakes/logger.ts';
import { image } from '../step/fixtures.ts';
import { openRunner } from './open-runner.ts';

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

  it('a failing store makes the daemon not ready, and the next step that is taken in makes it ready again', async () => {
    const readiness = new Readiness({ logger: captureLogger().logger, now: () => Date.now() });
    const { runner, platform, store } = await openRunner({ readiness });
    const saveTransition = store.saveTransition.bind(store);
    let broken = true;
    store.saveTransition = async (...args) => {
      if (broken) throw Object.assign(new Error('database or disk is full'), { code: 'ERR_SQLITE_ERROR' });
      return saveTransition(...args);
    };
    await runner.pollReleases();
    expect(runner.state.phase).toBe('idle');
    expect(readiness.troubles()).toEqual([expect.objectContaining({ reason: 'guard-steps-failing', scope: 'api' })]);
    broken = false;
    platform.release('api', image(2));
    await runner.pollReleases();
    expect(runner.state.phase).toBe('guarding');
    expect(readiness.ok).toBe(true);
    await runner.stop(0);
  });

  it('three failed release listings in a row make the target blind: not ready until one succeeds', async () => {
    const readiness = new Readiness({ logger: captureLogger().logger, now: () => Date.now() });
    const { runner, platform } = await openRunner({ readiness });
    platform.failListWith = new Error('flyctl exited 1');
    for (let i = 0; i < 2; i++) await runner.pollReleases();
    expect(readiness.ok).toBe(true);
    await runner.pollReleases();
    expect(readiness.troubles()).toEqual([expect.objectContaining({ reason: 'releases-unreadable', scope: 'api' })]);
    platform.failListWith = undefined;
    await runner.pollReleases();
    expect(readiness.ok).toBe(true);
    await runner.stop(0);
  });
});
