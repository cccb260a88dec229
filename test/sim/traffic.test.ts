import { describe, expect, it } from 'vitest';
import { AppMetrics } from '../../src/sim/app-metrics.ts';
import { parseProfile, type Profile } from '../../src/sim/profile.ts';
import { mulberry32 } from '../../src/sim/prng.ts';
import { TrafficLoop, trafficTick } from '../../src/sim/traffic.ts';

describe('trafficTick', () => {
  it('carries fractional requests so the long-run rate is exact', () => {
    const rng = mulberry32(1);
    let carry = 0;
    let total = 0;
    // 7 req/s in 130 ms ticks: 0.91 requests per tick, never a whole one on its own.
    for (let i = 0; i < 1000; i++) {
      const r = trafficTick(7, 130, carry, 0, rng);
      total += r.requests;
      carry = r.carry;
    }
    expect(total).toBe(Math.floor(7 * 130));
  });

  it('fails about p of the requests, with binomial spread across ticks', () => {
    const rng = mulberry32(2024);
    const perTick: number[] = [];
    let carry = 0;
    for (let i = 0; i < 2000; i++) {
      const r = trafficTick(40, 250, carry, 0.2, rng); // 10 requests per tick
      carry = r.carry;
      perTick.push(r.errors);
    }
    const mean = perTick.reduce((s, x) => s + x, 0) / perTick.length;
    const variance = perTick.reduce((s, x) => s + (x - mean) ** 2, 0) / perTick.length;
    expect(mean).toBeGreaterThan(1.9);
    expect(mean).toBeLessThan(2.1);
    // Binomial(10, 0.2) variance is 1.6: not a constant 2 per tick, not wildly overdispersed.
    expect(variance).toBeGreaterThan(1.3);
    expect(variance).toBeLessThan(1.9);
  });
});

describe('TrafficLoop', () => {
  function loop(profile: Profile, now: { t: number }, metrics = new AppMetrics()) {
    const lines: string[] = [];
    const traffic = new TrafficLoop({
      ratePerSec: 20,
      baselineErrorRate: 0.005,
      now: () => now.t,
      rng: mulberry32(5),
      profile: () => profile,
      metrics,
      log: (level, message) => lines.push(`[${level}]${message}`),
    });
    return { traffic, metrics, lines };
  }

  it('counts simulated requests into the metrics and logs a few of them', () => {
    const now = { t: 0 };
    const { traffic, metrics, lines } = loop(parseProfile('errors:50'), now);
    for (let i = 0; i < 40; i++) {
      now.t += 250;
      traffic.tick();
    }
    expect(metrics.requestCount()).toBe(200);
    expect(metrics.requestCount(500)).toBeGreaterThan(70);
    expect(metrics.requestCount(500)).toBeLessThan(130);
    expect(lines.some((l) => l.startsWith('[error]') && / 500 \d+ms$/.test(l))).toBe(true);
    expect(lines.length).toBeLessThanOrEqual(40 * 4);
  });

  it('sends nothing to a down app', () => {
    const now = { t: 0 };
    const { traffic, metrics } = loop(parseProfile('down'), now);
    now.t += 5000;
    expect(traffic.tick()).toEqual({ requests: 0, errors: 0, carry: 0 });
    expect(metrics.requestCount()).toBe(0);
  });

  it('adds the slow profile delay to request latency', () => {
    const now = { t: 0 };
    const { traffic, metrics } = loop(parseProfile('slow:3000'), now);
    now.t += 1000;
    traffic.tick();
    expect(metrics.render()).toContain('http_request_duration_seconds_bucket{le="2.5"} 0\n');
  });
});
