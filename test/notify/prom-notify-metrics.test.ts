import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { noopNotifyMetrics } from '../../src/notify/metrics.ts';
import { PromNotifyMetrics } from '../../src/notify/prom-notify-metrics.ts';

describe('PromNotifyMetrics', () => {
  it('exposes delivered and failed counters by channel, kind and reason, and the queue depth', async () => {
    const registry = new Registry();
    const metrics = new PromNotifyMetrics(registry);
    metrics.incDelivered('ops-slack', 'rollback-finished');
    metrics.incFailed('pd', 'rollback-failed', 'exhausted');
    metrics.incFailed('pd', 'rollback-failed', 'exhausted');
    metrics.observeQueueDepth(4);
    const text = await registry.metrics();
    expect(text).toContain('rollback_watchdog_notifications_delivered_total{channel="ops-slack",kind="rollback-finished"} 1');
    expect(text).toContain('rollback_watchdog_notifications_failed_total{channel="pd",kind="rollback-failed",reason="exhausted"} 2');
    expect(text).toContain('rollback_watchdog_notification_queue_depth 4');
  });

  it('the no-op recorder accepts every call', () => {
    expect(() => {
      noopNotifyMetrics.incDelivered('c', 'deploy-guarded');
      noopNotifyMetrics.incFailed('c', 'deploy-guarded', 'dropped');
      noopNotifyMetrics.observeQueueDepth(0);
    }).not.toThrow();
  });
});
