import { describe, expect, it } from 'vitest';
import { FailedAuthLimiter } from '../../src/admin/auth-failures.ts';
import { TestClock } from '../support/test-clock.ts';

describe('FailedAuthLimiter', () => {
  it('blocks an address past max failures until its window ends, then forgets them', async () => {
    const clock = new TestClock('auto', Date.UTC(2026, 0, 1));
    const limiter = new FailedAuthLimiter({ max: 3, windowMs: 60_000 }, clock);
    for (let i = 0; i < 2; i++) limiter.failed('192.0.2.1');
    expect(limiter.blockedFor('192.0.2.1')).toBe(0);
    await clock.sleep(10_000);
    limiter.failed('192.0.2.1');
    expect(limiter.blockedFor('192.0.2.1')).toBe(50_000);
    expect(limiter.blockedFor('192.0.2.2')).toBe(0);
    await clock.sleep(50_000);
    expect(limiter.blockedFor('192.0.2.1')).toBe(0);
    limiter.failed('192.0.2.1'); // a new window
    expect(limiter.blockedFor('192.0.2.1')).toBe(0);
  });

  it('knows the tokens that authenticated from an address, per address, for a day', async () => {
    const clock = new TestClock('auto', Date.UTC(2026, 0, 1));
    const limiter = new FailedAuthLimiter({ max: 1, windowMs: 60_000 }, clock);
    limiter.succeeded('192.0.2.1', 'ops');
    expect(limiter.knows('192.0.2.1', 'ops')).toBe(true);
    expect(limiter.knows('192.0.2.2', 'ops')).toBe(false);
    expect(limiter.knows('192.0.2.1', 'grafana')).toBe(false);
    await clock.sleep(25 * 3_600_000);
    expect(limiter.knows('192.0.2.1', 'ops')).toBe(false);
  });

  it('remembers a bounded number of addresses, forgetting the least recently seen', () => {
    const limiter = new FailedAuthLimiter({ max: 1, windowMs: 60_000 }, new TestClock('auto', Date.UTC(2026, 0, 1)));
    limiter.failed('first');
    for (let i = 0; i < 10_000; i++) limiter.failed(`a${i}`);
    expect(limiter.blockedFor('first')).toBe(0);
    expect(limiter.blockedFor('a9999')).toBeGreaterThan(0);
  });
});
