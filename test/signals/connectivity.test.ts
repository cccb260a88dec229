import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemClock } from '../../src/infra/clock.ts';
import { CONNECTIVITY_LOST_PREFIX, ConnectivityProvider, gateOnConnectivity } from '../../src/signals/connectivity.ts';
import { Connectivity } from '../../src/config/signal-schemas.ts';
import type { Measurement, MeasurementPhase } from '../../src/domain/measurement.ts';
import { refusedUrl, startServer, type LocalServer } from '../support/http-server.ts';

let server: LocalServer;
beforeAll(async () => {
  server = await startServer((req, res) => {
    if (req.url === '/hang') return; // never answers
    res.writeHead(req.url === '/teapot' ? 418 : 503).end();
  });
});
afterAll(() => server.close());

describe('ConnectivityProvider', () => {
  const provider = new ConnectivityProvider(systemClock);
  const run = (url: string, timeout = '2s') => provider.run(Connectivity.parse({ url, timeout }), new AbortController().signal);

  it.each([['/'], ['/teapot']])('when %s answers with any status then successful', async (path) => {
    expect(await run(`${server.url}${path}`)).toMatchObject({ check: 'connectivity', phase: 'successful' });
  });

  it('when nothing listens then error', async () => {
    expect(await run(await refusedUrl())).toMatchObject({ phase: 'error', detail: 'connection refused' });
  });

  it('when no answer comes in time then error', async () => {
    expect(await run(`${server.url}/hang`, '200ms')).toMatchObject({ phase: 'error', detail: 'timed out after 200ms' });
  });
});

describe('gateOnConnectivity', () => {
  const m = (check: string, phase: MeasurementPhase, detail = 'x'): Measurement => ({ check, phase, at: 0, durationMs: 1, detail });
  const round = [m('health', 'error', 'connection refused'), m('ready', 'failed', '503 (expected 200)'), m('home', 'successful')];

  it.each<[string, MeasurementPhase, MeasurementPhase[]]>([
    ['connectivity is fine', 'successful', ['error', 'failed', 'successful']],
    ['connectivity errored', 'error', ['inconclusive', 'failed', 'successful']],
    ['connectivity is unknown', 'inconclusive', ['inconclusive', 'failed', 'successful']],
  ])('when %s then the round becomes %j', (_what, connectivity, phases) => {
    expect(gateOnConnectivity(round, m('connectivity', connectivity)).map((x) => x.phase)).toEqual(phases);
  });

  it('prefixes the gated detail and leaves the input untouched', () => {
    const gated = gateOnConnectivity(round, m('connectivity', 'error', 'DNS lookup failed'));
    expect(gated[0]).toMatchObject({ check: 'health', phase: 'inconclusive', detail: `${CONNECTIVITY_LOST_PREFIX}connection refused` });
    expect(gated[1]).toBe(round[1]);
    expect(round[0]?.phase).toBe('error');
  });
});
