import { describe, expect, it } from 'vitest';
import { AppMetrics } from '../../src/sim/app-metrics.ts';
import { sample } from './helpers.ts';

describe('AppMetrics', () => {
  it('renders counters by status, a cumulative histogram and jobs', () => {
    const m = new AppMetrics();
    m.recordRequests(200, 0.02, 3);
    m.recordRequests(500, 0.3);
    m.recordRequests(200, 0.004);
    m.recordJobs(5, 1);
    const text = m.render();
    expect(sample(text, 'http_requests_total{status="200"}')).toBe(4);
    expect(sample(text, 'http_requests_total{status="500"}')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_bucket{le="0.005"}')).toBe(1);
    expect(sample(text, 'http_request_duration_seconds_bucket{le="0.025"}')).toBe(4);
    expect(sample(text, 'http_request_duration_seconds_bucket{le="0.5"}')).toBe(5);
    expect(sample(text, 'http_request_duration_seconds_bucket{le="+Inf"}')).toBe(5);
    expect(sample(text, 'http_request_duration_seconds_count')).toBe(5);
    expect(sample(text, 'http_request_duration_seconds_sum')).toBeCloseTo(0.364, 6);
    expect(sample(text, 'jobs_processed_total{result="failed"}')).toBe(1);
    expect(text).toContain('# TYPE http_requests_total counter\n');
    expect(text).toContain('# TYPE http_request_duration_seconds histogram\n');
  });

  it('sorts status codes and restarts from zero on reset', () => {
    const m = new AppMetrics();
    m.recordRequests(503, 0.01);
    m.recordRequests(200, 0.01);
    const text = m.render();
    expect(text.indexOf('status="200"')).toBeLessThan(text.indexOf('status="503"'));
    m.reset();
    expect(m.requestCount()).toBe(0);
  });
});
