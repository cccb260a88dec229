import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/infra/clock.ts';
import { MASK, SecretRegistry } from '../../src/infra/secrets.ts';
import { parsePromText, parsePromValue } from '../../src/signals/prom-text.ts';
import { ScrapeCounters } from '../../src/config/signal-schemas.ts';
import { histogramQuantile, metricsUrl, ScrapeCounterSource } from '../../src/signals/scrape.ts';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { refusedUrl, startServer, type LocalServer } from '../support/http-server.ts';
import { pollUntil } from '../support/poll.ts';

const EXPOSITION = [
  '# TYPE http_requests_total counter',
  'http_requests_total{code="200",path="/"} 90',
  'http_requests_total{code="503",path="/"} 6',
  'http_requests_total{code="500",path="/api"} 4',
  'http_requests_total{code="404",path="/x"} 5',
  'other_total{code="500"} 1000',
].join('\n');

const never = new AbortController().signal;
const spec = (over: Record<string, unknown>) => ScrapeCounters.parse({ type: 'scrape', urls: ['http://127.0.0.1:1'], timeout: '1s', ...over });
const source = (over: Record<string, unknown>, secrets = new SecretRegistry()) =>
  new ScrapeCounterSource(spec(over), { clock: systemClock, secrets });

describe('ScrapeCounterSource with a local endpoint', () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startServer((req, res) => {
      if (req.url === '/metrics' || req.url === '/custom/metrics') return res.end(EXPOSITION);
      if (req.url === '/html') return res.end('<html><body>login</body></html>');
      if (req.url === '/hang') return;
      res.writeHead(404).end();
    });
  });
  afterAll(() => server.close());

  it('sums the metric over all label sets, errors over those whose status label matches (anchored)', async () => {
    const readout = await source({ urls: [server.url], statusLabel: 'code' }).read(never);
    expect(readout).toMatchObject({ ok: true, readings: [{ series: server.url, requests: 105, errors: 10 }], detail: '1/1 scraped' });
  });

  it('takes errorStatus as a regex over the whole value', async () => {
    const readout = await source({ urls: [server.url], statusLabel: 'code', errorStatus: '50[03]|404' }).read(never);
    expect(readout.ok && readout.readings[0]?.errors).toBe(15);
  });

  it('appends /metrics to a bare origin and uses a URL with a path as is', () => {
    expect(metricsUrl('http://127.0.0.1:9091')).toBe('http://127.0.0.1:9091/metrics');
    expect(metricsUrl('http://127.0.0.1:9091/custom/metrics?x=1')).toBe('http://127.0.0.1:9091/custom/metrics?x=1');
  });

  it('sends the configured headers, and never reports their values', async () => {
    const secrets = new SecretRegistry();
    await source({ urls: [`${server.url}/custom/metrics`], headers: { authorization: 'Bearer scrape-secret-token' } }, secrets).read(never);
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer scrape-secret-token');
    expect(secrets.mask('token scrape-secret-token')).toBe(`token ${MASK}`);
  });

  it('when the metric is absent then a 0 reading, noted in the detail', async () => {
    const readout = await source({ urls: [server.url], metric: 'jobs_total' }).read(never);
    expect(readout).toMatchObject({ ok: true, readings: [{ requests: 0, errors: 0 }], detail: '1/1 scraped; jobs_total absent on 1 (counted as 0)' });
  });

  it('when one URL fails then its series is missing and the rest is read', async () => {
    const refused = await refusedUrl();
    const readout = await source({ urls: [server.url, refused], statusLabel: 'code' }).read(never);
    expect(readout.ok && readout.readings.map((r) => r.series)).toEqual([server.url]);
    expect(readout.detail).toBe(`1/2 scraped; ${new URL(refused).host}/metrics: connection refused`);
  });

  it.each([
    ['nothing listens', async () => refusedUrl(), /connection refused/],
    ['the endpoint answers 404', async () => `${server.url}/missing`, /HTTP 404/],
    ['the endpoint is not Prometheus text', async () => `${server.url}/html`, /not Prometheus text \(line 1: /],
    ['the endpoint hangs', async () => `${server.url}/hang`, /timed out after 300ms/],
  ])('when every URL fails (%s) then error', async (_what, url, detail) => {
    const readout = await source({ urls: [await url()], timeout: '300ms' }).read(never);
    expect(readout).toMatchObject({ ok: false, phase: 'error', detail: expect.stringMatching(detail) });
  });

  it('keeps query strings (which may carry tokens) out of the detail', async () => {
    const readout = await source({ urls: [`${await refusedUrl()}/metrics?token=query-secret-123`] }).read(never);
    expect(JSON.stringify(readout)).not.toContain('query-secret-123');
  });
});

describe('ScrapeCounterSource against the simulator\'s fake app', () => {
  let sim: Simulator;
  let url: string;
  beforeAll(async () => {
    sim = await startSimulator({ deployMs: 20, requestRate: 50, seed: 3 });
    url = (await sim.addApp('api', { profile: 'healthy' })).url;
  });
  afterAll(() => sim?.close());

  it('reads the same counts the app exposes, rising with traffic, errors included', async () => {
    await sim.deploy('api', sim.buildImage('api', 'errors:30'));
    const scrape = source({ urls: [url] });
    const first = await scrape.read(never);
    expect(first).toMatchObject({ ok: true, readings: [{ series: url }] });
    const start = first.ok ? first.readings[0] : undefined;
    const later = await pollUntil(async () => {
      const r = await scrape.read(never);
      const reading = r.ok ? r.readings[0] : undefined;
      return reading && start && reading.errors - start.errors >= 10 ? reading : undefined;
    }, { timeoutMs: 10_000, what: '10 new errors' });
    expect(later.requests).toBeGreaterThan(start?.requests ?? 0);
  });

  it('computes a quantile from the scraped histogram like Prometheus would', async () => {
    const buckets = parsePromText(sim.metricsText('api'))
      .filter((s) => s.name === 'http_request_duration_seconds_bucket')
      .map((s) => ({ le: parsePromValue(s.labels.le ?? ''), count: s.value }));
    expect(buckets.at(-1)?.le).toBe(Number.POSITIVE_INFINITY);
    const p50 = histogramQuantile(buckets, 0.5);
    expect(p50).toBeGreaterThan(0.005);
    expect(p50).toBeLessThan(0.25);
  });
});
