/**
 * `rollback-watchdog watch` against a real Fastify server on 127.0.0.1 serving the real events route
 * (and a /status answer for the snapshot): parsing, filtering, reconnecting with Last-Event-ID across
 * a server restart, the reset after a daemon restart, and refusals.
 */
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenAuth } from '../../src/admin/auth.ts';
import { eventsRoutes } from '../../src/admin/events-routes.ts';
import { formatEvent, runWatch } from '../../src/client/watch.ts';
import { EventBus } from '../../src/guard/event-bus.ts';
import type { Watchdog } from '../../src/guard/watchdog.ts';
import { refusedUrl } from '../support/http-server.ts';
import { pollUntil } from '../support/poll.ts';
import { OPERATOR, TOKENS, VIEWER } from '../admin/harness.ts';

const NOW = Date.parse('2026-11-25T14:00:00Z');
const summary = (name: string, phase: string) => ({
  name,
  app: name,
  environment: 'production',
  phase,
  since: '2026-11-25T13:59:00.000Z',
  mode: 'auto',
  paused: false,
  current: { version: 1, imageRef: `registry.fly.io/${name}:deployment-1`, status: 'complete' },
});

interface FakeDaemon {
  url: string;
  port: number;
  /** The Last-Event-ID header of each events request, in order. */
  resumedFrom: (string | undefined)[];
  close(): Promise<void>;
}

/** The real events route over `bus`, and a /status naming two targets, on 127.0.0.1. */
async function startDaemon(bus: EventBus, port = 0, resumedFrom: (string | undefined)[] = []): Promise<FakeDaemon> {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  const auth = new TokenAuth(TOKENS);
  app.addHook('onRequest', async (request) => {
    if (request.url.startsWith('/api/v1/events')) resumedFrom.push(request.headers['last-event-id'] as string | undefined);
  });
  await app.register(eventsRoutes, { prefix: '/api/v1', watchdog: { events: bus } as unknown as Watchdog, auth });
  app.get('/api/v1/status', { onRequest: auth.require('viewer') }, async () => ({
    ready: true,
    global: { paused: false },
    targets: [summary('api', 'stable'), summary('worker', 'stable')],
  }));
  await app.listen({ host: '127.0.0.1', port });
  const bound = (app.server.address() as { port: number }).port;
  return { url: `http://127.0.0.1:${bound}`, port: bound, resumedFrom, close: () => app.close() };
}

interface Watching {
  out: string[];
  err: string[];
  /** Stops the command (as Ctrl-C does) and resolves with its exit code. */
  stop(): Promise<number>;
  done: Promise<number>;
}

function watch(url: string, args: string[] = [], token: string = VIEWER): Watching {
  const out: string[] = [];
  const err: string[] = [];
  const stop = new AbortController();
  const done = runWatch(['--url', url, ...args], {
    env: { ROLLBACK_WATCHDOG_TOKEN: token },
    out: (t) => out.push(...t.split('\n').filter(Boolean)),
    err: (t) => err.push(t),
    now: () => NOW,
    signal: stop.signal,
    backoff: () => 20,
  });
  return {
    out,
    err,
    done,
    stop: () => {
      stop.abort();
      return done;
    },
  };
}

const decision = (bus: EventBus, target: string, kind: string) => bus.publish('decision', target, NOW, { kind, message: `${kind} happened` });
const decisionLines = (w: Watching) => w.out.filter((l) => l.includes(' decision '));

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

describe('formatEvent', () => {
  it.each([
    [{ type: 'decision', target: 'api', at: '2026-11-25T13:55:01.123Z', data: { kind: 'release-failed', message: 'v2 failed its guard: ready 503' } }, '2026-11-25T13:55:01Z  api  decision  release-failed: v2 failed its guard: ready 503'],
    [{ type: 'state', target: 'api', at: '2026-11-25T13:55:01.000Z', data: { ...summary('api', 'held'), hold: { kind: 'approval', reason: 'approve mode' } } }, '2026-11-25T13:55:01Z  api  state     held (running v1): held (approval): approve mode'],
    [{ type: 'measurement', target: 'api', at: '2026-11-25T13:55:01.000Z', data: { kind: 'probe', check: 'ready', phase: 'Failed', detail: '503 from /api/v1/ready' } }, '2026-11-25T13:55:01Z  api  probe     ready Failed: 503 from /api/v1/ready'],
    [{ type: 'measurement', target: 'api', at: '2026-11-25T13:55:01.000Z', data: { kind: 'error-rate', version: 2, rate: 0.125, baselineRate: 0.005, threshold: 0.01, requests: 80, errors: 10 } }, '2026-11-25T13:55:01Z  api  rate      v2 12.50% (baseline 0.50%, threshold 1.00%; 10/80 errors)'],
  ])('renders %j', (event, line) => {
    expect(formatEvent(event, NOW)).toBe(line);
  });
});

describe('rollback-watchdog watch', () => {
  it('prints the current state, then each event of the chosen target as it is published', async () => {
    const bus = new EventBus({ firstId: 1 });
    const daemon = await startDaemon(bus);
    cleanups.push(() => daemon.close());
    const w = watch(daemon.url, ['--target', 'api']);
    cleanups.push(() => w.stop());
    await pollUntil(() => w.out.length >= 1, { what: 'the snapshot' });
    await pollUntil(() => bus.subscribers === 1, { what: 'the subscription' });
    decision(bus, 'worker', 'guard-started');
    decision(bus, 'api', 'guard-started');
    bus.publish('measurement', 'api', NOW, { kind: 'probe', check: 'health', phase: 'Successful' });
    decision(bus, 'api', 'release-failed');
    await pollUntil(() => w.out.length >= 4, { what: 'three api events' });
    expect(w.out).toEqual([
      '2026-11-25T13:59:00Z  api  state     stable (running v1)',
      '2026-11-25T14:00:00Z  api  decision  guard-started: guard-started happened',
      '2026-11-25T14:00:00Z  api  probe     health Successful',
      '2026-11-25T14:00:00Z  api  decision  release-failed: release-failed happened',
    ]);
    expect(await w.stop()).toBe(0);
  });

  it('prints JSON lines with --json', async () => {
    const bus = new EventBus({ firstId: 1 });
    const daemon = await startDaemon(bus);
    cleanups.push(() => daemon.close());
    const w = watch(daemon.url, ['--json']);
    cleanups.push(() => w.stop());
    await pollUntil(() => w.out.length >= 2 && bus.subscribers === 1, { what: 'the snapshot' });
    const published = decision(bus, 'api', 'guard-started');
    await pollUntil(() => w.out.length >= 3, { what: 'the event' });
    expect(JSON.parse(w.out[2]!)).toEqual({ id: published.id, type: 'decision', target: 'api', at: '2026-11-25T14:00:00.000Z', data: { kind: 'guard-started', message: 'guard-started happened' } });
  });

  it('reconnects after the daemon goes away and resumes from Last-Event-ID: nothing lost, nothing twice', async () => {
    const bus = new EventBus({ firstId: 1 });
    const resumedFrom: (string | undefined)[] = [];
    let daemon = await startDaemon(bus, 0, resumedFrom);
    cleanups.push(() => daemon.close());
    const w = watch(daemon.url);
    cleanups.push(() => w.stop());
    await pollUntil(() => bus.subscribers === 1 && w.out.length >= 2, { what: 'the stream' });
    const first = decision(bus, 'api', 'guard-started');
    await pollUntil(() => decisionLines(w).length === 1, { what: 'the first event' });

    const port = daemon.port;
    await daemon.close(); // ends the stream, as a restart does
    await pollUntil(() => w.err.some((e) => e.includes('stream lost')), { what: 'the drop' });
    decision(bus, 'api', 'release-failed'); // published while nobody listens
    decision(bus, 'api', 'rollback-started');
    daemon = await startDaemon(bus, port, resumedFrom);
    await pollUntil(() => decisionLines(w).length === 3, { what: 'the replayed events' });
    decision(bus, 'api', 'rollback-verified');
    await pollUntil(() => decisionLines(w).length === 4, { what: 'a live event after the reconnect' });

    expect(decisionLines(w).map((l) => l.split('  ')[3])).toEqual([
      'guard-started: guard-started happened',
      'release-failed: release-failed happened',
      'rollback-started: rollback-started happened',
      'rollback-verified: rollback-verified happened',
    ]);
    expect(resumedFrom).toEqual([undefined, String(first.id)]);
    expect(w.err.join('')).toContain('watch: reconnected');
  });

  it('after a daemon restart (a new event feed), says what happened and prints the current state again', async () => {
    const before = new EventBus({ firstId: 1 });
    let daemon = await startDaemon(before);
    const port = daemon.port;
    cleanups.push(() => daemon.close());
    const w = watch(daemon.url, ['--target', 'worker']);
    cleanups.push(() => w.stop());
    await pollUntil(() => before.subscribers === 1 && w.out.length === 1, { what: 'the snapshot' });
    decision(before, 'worker', 'guard-started');
    await pollUntil(() => w.out.length === 2, { what: 'the event' });
    await daemon.close();
    // A restarted daemon numbers its events from a later point: the old id cannot be replayed.
    daemon = await startDaemon(new EventBus({ firstId: 1_000_000 }), port);
    await pollUntil(() => w.out.length === 3, { what: 'the snapshot after the reset' });
    expect(w.out[2]).toBe('2026-11-25T13:59:00Z  worker  state     stable (running v1)');
    expect(w.err.join('')).toContain('cannot replay what was missed');
  });

  it.each([
    ['no token', '', 'WD_ERR_UNAUTHORIZED'],
    ['an unknown token', 'not-a-token-0123456789', 'WD_ERR_UNAUTHORIZED'],
  ])('with %s: refused, exit 1, no retry', async (_label, token, code) => {
    const daemon = await startDaemon(new EventBus({ firstId: 1 }));
    cleanups.push(() => daemon.close());
    const w = watch(daemon.url, [], token);
    expect(await w.done).toBe(1);
    expect(w.err.join('')).toContain(`watch refused: ${code}`);
    expect(daemon.resumedFrom).toHaveLength(1);
  });

  it('exits 3 when no daemon answers at all, and 2 on a usage error', async () => {
    const unreachable = watch(await refusedUrl(), [], OPERATOR);
    expect(await unreachable.done).toBe(3);
    expect(unreachable.err.join('')).toMatch(/Cannot reach the watchdog at http:\/\/127\.0\.0\.1:\d+/);
    const usage = watch('http://127.0.0.1:1', ['--nope']);
    expect(await usage.done).toBe(2);
    const credentials = watch('http://user:pw@127.0.0.1:1');
    expect(await credentials.done).toBe(2);
    expect(credentials.err.join('')).not.toContain('pw');
  });
});
