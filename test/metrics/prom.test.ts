import { describe, expect, it } from 'vitest';
import { PromMetrics } from '../../src/metrics/prom.ts';

const api = { target: 'api', environment: 'production' };
const worker = { target: 'worker', environment: 'production' };

describe('PromMetrics', () => {
  it('keeps one state series per target, and counts held targets', async () => {
    const m = new PromMetrics({ defaultMetrics: false });
    m.setPhase(api, 'guarding');
    m.setPhase(api, 'held');
    m.setPhase(worker, 'held');
    let text = await m.registry.metrics();
    expect(text).toContain('rollback_watchdog_target_state{target="api",environment="production",state="held"} 1');
    expect(text).not.toContain('state="guarding"');
    expect(text).toContain('rollback_watchdog_held_rollbacks 2');
    m.setPhase(api, 'rolling-back');
    text = await m.registry.metrics();
    expect(text).toContain('rollback_watchdog_held_rollbacks 1');
  });

  it('exposes the error rate, its baseline and threshold, skipping values that are not numbers', async () => {
    const m = new PromMetrics({ defaultMetrics: false });
    m.setErrorRate(api, 0.2, Number.NaN, 0.01);
    const text = await m.registry.metrics();
    expect(text).toContain('rollback_watchdog_error_rate_ratio{target="api",environment="production",kind="observed"} 0.2');
    expect(text).toContain('kind="threshold"} 0.01');
    expect(text).not.toContain('kind="baseline"');
  });

  it('uses its own registry, so two instances do not collide', () => {
    expect(() => [new PromMetrics(), new PromMetrics()]).not.toThrow();
  });
});
