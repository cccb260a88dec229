import { afterEach, describe, expect, it, vi } from 'vitest';
import { deadline } from '../../src/signals/deadline.ts';

afterEach(() => vi.useRealTimers());

describe('deadline', () => {
  it('fires with a TimeoutError once the time has passed', async () => {
    vi.useFakeTimers();
    const d = deadline(new AbortController().signal, 2_000);
    await vi.advanceTimersByTimeAsync(1_999);
    expect(d.signal.aborted).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(d.signal.aborted).toBe(true);
    expect(d.signal.reason).toMatchObject({ name: 'TimeoutError' });
  });

  it('fires with the caller\'s reason when the caller aborts first', () => {
    const parent = new AbortController();
    const d = deadline(parent.signal, 60_000);
    const reason = new Error('watchdog stopping');
    parent.abort(reason);
    expect(d.signal.reason).toBe(reason);
    d.done();
  });

  it('is aborted from the start when the caller already is', () => {
    const reason = new Error('gone');
    expect(deadline(AbortSignal.abort(reason), 1_000).signal.reason).toBe(reason);
  });

  it('done() clears the timer and stops following the caller', async () => {
    vi.useFakeTimers();
    const parent = new AbortController();
    const d = deadline(parent.signal, 1_000);
    d.done();
    expect(vi.getTimerCount()).toBe(0);
    parent.abort(new Error('later'));
    await vi.advanceTimersByTimeAsync(5_000);
    expect(d.signal.aborted).toBe(false);
  });
});
