import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import {
  Connectivity,
  HttpBodyExpectation,
  httpProbeAnswerFields,
  PlatformChecks,
  PrometheusCounters,
  PrometheusLatency,
  ScrapeCounters,
  SmokeTest,
} from '../../src/config/signal-schemas.ts';

describe('signal schemas', () => {
  it('fill the documented defaults and parse durations to ms', () => {
    expect(SmokeTest.parse({ name: 'e2e', type: 'smoke', command: ['npm', 'test'] })).toEqual({
      name: 'e2e', type: 'smoke', command: ['npm', 'test'], timeout: 300_000, retries: 1, retryDelay: 5_000, interval: 300_000,
    });
    expect(PlatformChecks.parse({ name: 'fly-checks', type: 'platform-checks' })).toEqual({ name: 'fly-checks', type: 'platform-checks' });
    // Deprecated: still accepted, so an old config loads; ignored (config/deprecations.ts warns).
    expect(PlatformChecks.parse({ name: 'fly-checks', type: 'platform-checks', autostop: true })).toMatchObject({ autostop: true });
    expect(PrometheusCounters.parse({ type: 'prometheus', url: 'https://api.fly.io/prometheus/personal', requests: 'a', errors: 'b' }))
      .toMatchObject({ timeout: 10_000 });
    expect(PrometheusLatency.parse({ type: 'prometheus', url: 'http://127.0.0.1:9090', query: 'q' })).toMatchObject({ timeout: 10_000 });
    // Deprecated: accepted so old configs load, and ignored (the scheme follows from the token).
    expect(PrometheusLatency.parse({ type: 'prometheus', url: 'http://127.0.0.1:9090', query: 'q', authScheme: 'FlyV1' })).toMatchObject({ authScheme: 'FlyV1' });
    expect(ScrapeCounters.parse({ type: 'scrape', urls: ['http://127.0.0.1:9091'] }))
      .toMatchObject({ metric: 'http_requests_total', statusLabel: 'status', errorStatus: '5..', timeout: 5_000 });
    expect(Connectivity.parse({})).toEqual({ url: 'https://api.fly.io', timeout: 5_000 });
  });

  it.each([
    ['a smoke test without a command', SmokeTest, { name: 'e2e', type: 'smoke', command: [] }],
    ['more than 5 retries', SmokeTest, { name: 'e2e', type: 'smoke', command: ['x'], retries: 6 }],
    ['a misspelt key', SmokeTest, { name: 'e2e', type: 'smoke', command: ['x'], retry: 1 }],
    ['a bad duration', SmokeTest, { name: 'e2e', type: 'smoke', command: ['x'], timeout: '5 minutes' }],
    ['an unknown auth scheme', PrometheusCounters, { type: 'prometheus', url: 'http://x', requests: 'a', errors: 'b', authScheme: 'Basic' }],
    ['a non-http url', PrometheusLatency, { type: 'prometheus', url: 'ftp://x', query: 'q' }],
    ['an invalid error regex', ScrapeCounters, { type: 'scrape', urls: ['http://x'], errorStatus: '5(' }],
    ['an invalid metric name', ScrapeCounters, { type: 'scrape', urls: ['http://x'], metric: 'http-requests' }],
    ['no scrape urls', ScrapeCounters, { type: 'scrape', urls: [] }],
    ['an invalid app name', PlatformChecks, { name: 'c', type: 'platform-checks', app: 'My_App' }],
    ['a non-JSON body expectation', HttpBodyExpectation, { status: () => 'ok' }],
  ])('reject %s', (_what, schema: z.ZodType, input) => {
    expect(schema.safeParse(input).success).toBe(false);
  });

  it.each([
    ['SmokeTest', SmokeTest],
    ['PlatformChecks', PlatformChecks],
    ['PrometheusCounters', PrometheusCounters],
    ['PrometheusLatency', PrometheusLatency],
    ['ScrapeCounters', ScrapeCounters],
    ['Connectivity', Connectivity],
  ])('%s documents every field for the JSON Schema', (_name, schema: z.ZodType) => {
    const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties: Record<string, { description?: string }> };
    const undocumented = Object.entries(json.properties).filter(([, p]) => !p.description).map(([key]) => key);
    expect(undocumented).toEqual([]);
  });
});

describe('httpProbeAnswerFields', () => {
  it('adds expectBody and maxLatencyMs to a probe schema, both optional', () => {
    const Probe = z.strictObject({ url: z.string(), ...httpProbeAnswerFields });
    expect(Probe.parse({ url: 'u' })).toEqual({ url: 'u' });
    expect(Probe.parse({ url: 'u', expectBody: { status: 'ok', checks: { db: true } }, maxLatencyMs: 500 }))
      .toEqual({ url: 'u', expectBody: { status: 'ok', checks: { db: true } }, maxLatencyMs: 500 });
    expect(Probe.safeParse({ url: 'u', maxLatencyMs: 0 }).success).toBe(false);
  });
});
