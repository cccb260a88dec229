import type { ServerResponse } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/infra/clock.ts';
import { MASK, SecretRegistry } from '../../src/infra/secrets.ts';
import { PrometheusCounterSource, PrometheusLatencySource } from '../../src/signals/prometheus.ts';
import { PromQLClient } from '../../src/signals/promql-client.ts';
import { PrometheusCounters, PrometheusLatency } from '../../src/config/signal-schemas.ts';
import { refusedUrl, startServer, type LocalServer } from '../support/http-server.ts';

const TOKEN = 'fm2_prometheus-token-0123456789';
const vector = (result: unknown[]) => ({ status: 'success', data: { resultType: 'vector', result } });
const sample = (metric: Record<string, string>, value: string) => ({ metric, value: [1795600000.123, value] });

/** What the fake Prometheus answers, keyed by the PromQL text. */
const ANSWERS: Record<string, (res: ServerResponse, auth: string) => void> = {
  requests: (res) => json(res, 200, vector([sample({ instance: 'b:1', app: 'api' }, '900'), sample({ app: 'api', instance: 'a:1' }, '1000')])),
  errors: (res) => json(res, 200, vector([sample({ instance: 'a:1', app: 'api' }, '7')])),
  empty: (res) => json(res, 200, vector([])),
  scalar: (res) => json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1795600000, '0.25'] } }),
  nan: (res) => json(res, 200, { status: 'success', data: { resultType: 'scalar', result: [1795600000, 'NaN'] } }),
  two: (res) => json(res, 200, vector([sample({ instance: 'a' }, '0.1'), sample({ instance: 'b' }, '0.2')])),
  matrix: (res) => json(res, 200, { status: 'success', data: { resultType: 'matrix', result: [] } }),
  429: (res) => json(res, 429, { status: 'error', errorType: 'too_many_requests', error: 'slow down' }),
  503: (res) => json(res, 503, { status: 'error', errorType: 'unavailable', error: 'query engine overloaded' }),
  502: (res) => res.writeHead(502, { 'content-type': 'text/html' }).end('<html>Bad Gateway</html>'),
  400: (res) => json(res, 400, { status: 'error', errorType: 'bad_data', error: '1:5: parse error: unexpected <by>' }),
  // A careless proxy that echoes the credential it rejected: the token must still never come out.
  401: (res, auth) => json(res, 401, { status: 'error', errorType: 'unauthorized', error: `invalid token: ${auth}` }),
  'status-error': (res) => json(res, 200, { status: 'error', errorType: 'execution', error: 'query timed out in expression evaluation' }),
  'not-json': (res) => res.writeHead(200).end('{"status":"succ'),
  'wrong-shape': (res) => json(res, 200, { status: 'success', data: { resultType: 'vector', result: [{ metric: {}, value: 3 }] } }),
  hang: () => undefined,
  reset: (res) => res.socket?.destroy(),
};

function json(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
}

let server: LocalServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    const answer = ANSWERS[url.searchParams.get('query') ?? ''];
    if (!url.pathname.endsWith('/api/v1/query') || !answer) return json(res, 404, { error: 'unknown route' });
    answer(res, req.headers.authorization ?? '');
  });
});
afterAll(() => server.close());

const never = new AbortController().signal;
const connection = (over: Partial<{ url: string; timeout: number; bearerToken: string }> = {}) => ({
  url: `${server.url}/prometheus/personal`, timeout: 2000, bearerToken: TOKEN, ...over,
});

describe('PromQLClient', () => {
  it('queries <url>/api/v1/query with a macaroon as FlyV1', async () => {
    const client = new PromQLClient(connection({ url: `${server.url}/prometheus/personal/` }), new SecretRegistry());
    expect(await client.query('scalar', never)).toEqual({ ok: true, samples: [{ labels: {}, value: 0.25 }] });
    const seen = server.requests.at(-1);
    expect(seen?.url).toBe('/prometheus/personal/api/v1/query?query=scalar');
    expect(seen?.headers.authorization).toBe(`FlyV1 ${TOKEN}`);
  });

  it('sends a token pasted with its scheme, as `fly tokens create` prints it, with that scheme once', async () => {
    const client = new PromQLClient(connection({ bearerToken: `FlyV1 ${TOKEN}` }), new SecretRegistry());
    await client.query('scalar', never);
    expect(server.requests.at(-1)?.headers.authorization).toBe(`FlyV1 ${TOKEN}`);
  });

  it('sends a `fly auth token` token as Bearer', async () => {
    await new PromQLClient(connection({ bearerToken: 'fo1_user-token-0123456789' }), new SecretRegistry()).query('scalar', never);
    expect(server.requests.at(-1)?.headers.authorization).toBe('Bearer fo1_user-token-0123456789');
  });

  it('sends no Authorization header without a token', async () => {
    await new PromQLClient(connection({ bearerToken: undefined }), new SecretRegistry()).query('empty', never);
    expect(server.requests.at(-1)?.headers.authorization).toBeUndefined();
  });

  it.each([
    ['429', 'error', 'Prometheus rate limited the query (429)'],
    ['503', 'error', 'Prometheus answered 503: query engine overloaded'],
    ['502', 'error', 'Prometheus answered 502'],
    ['400', 'error', 'Prometheus answered 400: 1:5: parse error: unexpected <by>'],
    ['status-error', 'error', 'query failed: execution: query timed out in expression evaluation'],
    ['not-json', 'error', 'Prometheus answered 200 with a body that is not JSON'],
    ['matrix', 'error', 'query returned a matrix; an instant vector or a scalar is needed'],
    ['hang', 'error', 'Prometheus timed out after 300ms'],
    ['reset', 'error', /^Prometheus (connection reset|request failed)/],
  ])('when Prometheus answers %s then %s', async (query, phase, detail) => {
    const result = await new PromQLClient(connection({ timeout: 300 }), new SecretRegistry()).query(query, never);
    expect(result).toMatchObject({ ok: false, phase, detail });
  });

  it('when the shape is wrong then error, saying so', async () => {
    const result = await new PromQLClient(connection(), new SecretRegistry()).query('wrong-shape', never);
    expect(result).toMatchObject({ ok: false, phase: 'error', detail: 'Prometheus answered 200 with an unexpected shape: data.result.0.value: Invalid input: expected tuple, received number' });
  });

  it('when nothing listens then error: connection refused', async () => {
    const result = await new PromQLClient(connection({ url: await refusedUrl() }), new SecretRegistry()).query('empty', never);
    expect(result).toEqual({ ok: false, phase: 'error', detail: 'Prometheus connection refused' });
  });

  it('when a 401 echoes the token then the detail has it masked', async () => {
    const result = await new PromQLClient(connection(), new SecretRegistry()).query('401', never);
    expect(result).toMatchObject({ ok: false, phase: 'error', detail: `Prometheus answered 401: invalid token: FlyV1 ${MASK}` });
    expect(JSON.stringify(result)).not.toContain(TOKEN);
  });

  it('when the caller aborts then inconclusive', async () => {
    const controller = new AbortController();
    const pending = new PromQLClient(connection(), new SecretRegistry()).query('hang', controller.signal);
    controller.abort();
    expect(await pending).toMatchObject({ ok: false, phase: 'inconclusive' });
  });
});

describe('PrometheusCounterSource', () => {
  const source = (requests: string, errors = 'errors') =>
    new PrometheusCounterSource(PrometheusCounters.parse({ type: 'prometheus', ...connection(), timeout: '2s', requests, errors }), {
      clock: systemClock, secrets: new SecretRegistry(),
    });

  it('joins requests and errors per series; a series without errors has 0', async () => {
    const readout = await source('requests').read(never);
    expect(readout).toMatchObject({ ok: true, detail: '2 series, 1900 requests, 7 errors' });
    expect(readout.ok && readout.readings).toEqual([
      { series: 'app=api,instance=b:1', requests: 900, errors: 0 },
      { series: 'app=api,instance=a:1', requests: 1000, errors: 7 },
    ]);
  });

  it('when requests has no series then inconclusive: no data', async () => {
    expect(await source('empty').read(never)).toMatchObject({ ok: false, phase: 'inconclusive', detail: 'no data' });
  });

  it('when requests exist but errors is empty then every series has 0 errors', async () => {
    const readout = await source('requests', 'empty').read(never);
    expect(readout.ok && readout.readings.map((r) => r.errors)).toEqual([0, 0]);
  });

  it.each([
    ['the requests query', '503', 'errors', 'requests: Prometheus answered 503: query engine overloaded'],
    ['the errors query', 'requests', '429', 'errors: Prometheus rate limited the query (429)'],
  ])('when %s fails then error: a failed error count is never read as zero', async (_what, requests, errors, detail) => {
    expect(await source(requests, errors).read(never)).toMatchObject({ ok: false, phase: 'error', detail });
  });
});

describe('PrometheusLatencySource', () => {
  const source = (query: string) =>
    new PrometheusLatencySource(PrometheusLatency.parse({ type: 'prometheus', ...connection(), timeout: '2s', query }), {
      clock: systemClock, secrets: new SecretRegistry(),
    });

  it.each([
    ['a scalar', 'scalar', { ok: true, seconds: 0.25, detail: '250ms' }],
    ['NaN (no traffic)', 'nan', { ok: false, phase: 'inconclusive', detail: 'no data (NaN)' }],
    ['no series', 'empty', { ok: false, phase: 'inconclusive', detail: 'no data' }],
    ['two series', 'two', { ok: false, phase: 'error', detail: expect.stringMatching(/^query returned 2 series/) }],
    ['a 400', '400', { ok: false, phase: 'error' }],
  ])('when the query returns %s', async (_what, query, expected) => {
    expect(await source(query).read(never)).toMatchObject(expected);
  });
});
