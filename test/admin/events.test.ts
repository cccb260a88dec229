/**
 * GET /api/v1/events over a real socket (127.0.0.1:0): the SSE body is read incrementally with
 * undici, since `inject` would wait for a stream that never ends. Auth for this route is covered
 * here rather than in auth-matrix.test.ts for the same reason.
 */
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { request } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { eventsRoutes } from '../../src/admin/events-routes.ts';
import { TokenAuth } from '../../src/admin/auth.ts';
import { EventBus } from '../../src/guard/event-bus.ts';
import type { Watchdog } from '../../src/guard/watchdog.ts';
import { bearer, guardingV2, harness, image, OPERATOR, TOKENS, until, VIEWER, type Harness } from './harness.ts';

interface SseEvent {
  id?: number;
  event: string;
  data: { id?: number; type?: string; target?: string; at?: string; data?: Record<string, unknown>; [k: string]: unknown };
}

/** An open event stream: parsed events as they arrive, comments counted, and a way to hang up. */
interface Stream {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  events: SseEvent[];
  comments: string[];
  /** Waits until `n` events have arrived in total. */
  waitFor(n: number, what?: string): Promise<SseEvent[]>;
  close(): void;
}

let h: Harness | undefined;
let base = '';
const streams: Stream[] = [];
afterEach(async () => {
  for (const s of streams.splice(0)) s.close();
  await h?.close();
  h = undefined;
});

async function listen(harnessed: Harness): Promise<string> {
  await harnessed.app.listen({ host: '127.0.0.1', port: 0 });
  const address = harnessed.app.server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return `http://127.0.0.1:${address.port}`;
}

async function open(url: string, headers: Record<string, string> = bearer(VIEWER)): Promise<Stream> {
  const res = await request(url, { headers });
  const events: SseEvent[] = [];
  const comments: string[] = [];
  let buffer = '';
  const pump = (async () => {
    try {
      for await (const chunk of res.body) {
        buffer += (chunk as Buffer).toString('utf8');
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const fields: Record<string, string> = {};
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) comments.push(line.slice(1).trim());
            else {
              const i = line.indexOf(':');
              fields[line.slice(0, i)] = line.slice(i + 1).replace(/^ /, '');
            }
          }
          if (fields.data !== undefined) events.push({ ...(fields.id !== undefined && { id: Number(fields.id) }), event: fields.event ?? 'message', data: JSON.parse(fields.data) });
        }
      }
    } catch {
      // Hung up by the test.
    }
  })();
  const stream: Stream = {
    status: res.statusCode,
    headers: res.headers,
    events,
    comments,
    async waitFor(n, what = `${n} events`) {
      await until(() => events.length >= n, what);
      return events.slice(0, n);
    },
    close() {
      res.body.destroy();
      void pump;
    },
  };
  streams.push(stream);
  return stream;
}

/** Decisions the store recorded through guard transitions, oldest first (hand marks are not guard events). */
async function journalKinds(hh: Harness): Promise<string[]> {
  return (await hh.store.listJournal('api', 500)).reverse().map((j) => j.kind);
}

describe('GET /api/v1/events', () => {
  it('streams state and decision events of a bad deploy in order, with increasing ids', async () => {
    h = await harness();
    base = await listen(h);
    const s = await open(`${base}/api/v1/events`);
    expect(s.status).toBe(200);
    expect(s.headers['content-type']).toMatch(/^text\/event-stream/);
    expect(s.headers['cache-control']).toBe('no-cache');
    await until(() => h!.watchdog.events.subscribers === 1, 'subscribed');

    // v1 guarded then aborted and marked good, v2 guarded; then v2 judged bad and redeployed as v3
    // under approve mode: the guard fails it at once as a known-bad image and holds for approval.
    await guardingV2(h);
    await h.watchdog.setControls('api', { mode: 'approve', by: 'test' });
    await h.watchdog.runner('api').command({ kind: 'mark', version: 2, verdict: 'bad', by: 'test' });
    h.platform.release('api', image(2));
    await h.watchdog.pollAll();
    await until(() => h!.state().phase === 'held', 'held');

    const kinds = await journalKinds(h);
    await until(() => s.events.filter((e) => e.event === 'decision').length === kinds.length && s.events.at(-1)?.event === 'state', 'all events');
    const events = s.events;
    const ids = events.map((e) => e.id!);
    for (let i = 1; i < ids.length; i++) expect(ids[i]).toBe(ids[i - 1]! + 1);
    for (const e of events) expect(e.data).toMatchObject({ id: e.id, type: e.event, target: 'api', at: expect.stringMatching(/^\d{4}-/) });
    // Every guard decision the store recorded arrives, in the same order.
    expect(events.filter((e) => e.event === 'decision').map((e) => e.data.data!.kind)).toEqual(kinds);
    expect(kinds).toContain('guard-started');
    // Phase changes only (no repeats): guarding v1, idle after the abort, guarding v2, failing, held.
    const phases = events.filter((e) => e.event === 'state').map((e) => e.data.data!.phase);
    expect(phases).toEqual(['guarding', 'idle', 'guarding', 'failing', 'held']);
    expect(kinds).toEqual(expect.arrayContaining(['guard-aborted', 'marked-good', 'marked-bad', 'known-bad-image', 'release-failed', 'rollback-held']));
    expect(events.at(-1)!.data.data).toMatchObject({ name: 'api', phase: 'held', mode: 'approve', plan: { from: 3, to: 1 } });
    // Within one transition, its decisions come before its state.
    const firstState = events.findIndex((e) => e.event === 'state');
    expect(events[firstState - 1]).toMatchObject({ event: 'decision', data: { data: { kind: 'guard-started' } } });
  });

  it('a client reconnecting with Last-Event-ID gets exactly what it missed, then live events', async () => {
    h = await harness();
    base = await listen(h);
    const first = await open(`${base}/api/v1/events`);
    await until(() => h!.watchdog.events.subscribers === 1, 'subscribed');
    await h.watchdog.pollAll(); // guard-started v1 + state guarding
    const seen = await first.waitFor(2);
    first.close();
    await until(() => h!.watchdog.events.subscribers === 0, 'unsubscribed on close');

    // Missed while away: the abort, then guarding v2.
    const runner = h.watchdog.runner('api');
    await runner.command({ kind: 'abort', by: 'test' });
    await runner.command({ kind: 'mark', version: 1, verdict: 'good', by: 'test' });
    h.platform.release('api', image(2));
    await h.watchdog.pollAll();
    await until(() => h!.state().guard?.release.version === 2, 'guarding v2');
    const lastSeen = seen.at(-1)!.id!;
    const missed = h.watchdog.events.since(lastSeen);
    expect(missed.gap).toBe(false);
    expect(missed.events.length).toBeGreaterThanOrEqual(3);

    const again = await open(`${base}/api/v1/events`, { ...bearer(VIEWER), 'last-event-id': String(lastSeen) });
    await again.waitFor(missed.events.length, 'replay');
    expect(again.events.map((e) => e.id)).toEqual(missed.events.map((e) => e.id));
    expect(again.events.map((e) => e.data)).toEqual(missed.events.map((e) => ({ id: e.id, type: e.type, target: e.target, at: new Date(e.at).toISOString(), data: e.data })));
    expect(again.events[0]!.id).toBe(lastSeen + 1);

    // Then live, continuing the sequence with no duplicate.
    await runner.command({ kind: 'abort', by: 'again' });
    await until(() => again.events.length > missed.events.length, 'live after replay');
    const ids = again.events.map((e) => e.id!);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.at(-1)).toBeGreaterThan(missed.events.at(-1)!.id);

    // The query parameter works the same way (for clients that cannot set headers).
    const byQuery = await open(`${base}/api/v1/events?lastEventId=${lastSeen}`);
    await byQuery.waitFor(missed.events.length, 'replay by query');
    expect(byQuery.events.slice(0, missed.events.length).map((e) => e.id)).toEqual(missed.events.map((e) => e.id));
  });

  it('an id older than the ring, or not from this process, gets a reset event', async () => {
    h = await harness();
    base = await listen(h);
    await h.watchdog.pollAll();
    const lastId = h.watchdog.events.lastId;
    for (const id of ['1', String(lastId + 5), 'not-a-number']) {
      const s = await open(`${base}/api/v1/events`, { ...bearer(VIEWER), 'last-event-id': id });
      const [reset] = await s.waitFor(1, `reset for ${id}`);
      expect(reset).toMatchObject({ event: 'reset', id: lastId, data: { lastEventId: lastId } });
      s.close();
    }
    // Resuming from the reset's id is not another gap.
    const s = await open(`${base}/api/v1/events?lastEventId=${lastId}`);
    await h.watchdog.runner('api').command({ kind: 'abort', by: 'test' });
    const [next] = await s.waitFor(1);
    expect(next).toMatchObject({ event: 'decision', id: lastId + 1 });
  });

  it('401 without a token or with a bad one, 200 for viewer and operator; no token in the query', async () => {
    h = await harness();
    base = await listen(h);
    for (const headers of [{}, bearer('nope-nope-nope-nope-nope')]) {
      const res = await request(`${base}/api/v1/events`, { headers });
      expect(res.statusCode).toBe(401);
      expect(((await res.body.json()) as { code: string }).code).toBe('WD_ERR_UNAUTHORIZED');
    }
    const viaQuery = await request(`${base}/api/v1/events?token=${VIEWER}`);
    expect(viaQuery.statusCode).toBe(401);
    await viaQuery.body.dump();
    const bad = await request(`${base}/api/v1/events?lastEventId=-1`, { headers: bearer(VIEWER) });
    expect(bad.statusCode).toBe(400);
    await bad.body.dump();
    for (const token of [VIEWER, OPERATOR]) {
      const s = await open(`${base}/api/v1/events`, bearer(token));
      expect(s.status).toBe(200);
      s.close();
    }
    await until(() => h!.watchdog.events.subscribers === 0, 'all unsubscribed');
  });

  it('close() ends open streams instead of waiting for them', async () => {
    h = await harness();
    base = await listen(h);
    await open(`${base}/api/v1/events`);
    await until(() => h!.watchdog.events.subscribers === 1, 'subscribed');
    const started = Date.now();
    await h.app.close();
    expect(Date.now() - started).toBeLessThan(2_000);
    expect(h.watchdog.events.subscribers).toBe(0);
  });
});

describe('events route details', () => {
  it('sends a `: ping` comment heartbeat and drops a client that stops reading', async () => {
    const bus = new EventBus({ firstId: 1 });
    const app = Fastify();
    app.setValidatorCompiler(validatorCompiler);
    app.setSerializerCompiler(serializerCompiler);
    await app.register(eventsRoutes, { watchdog: { events: bus } as unknown as Watchdog, auth: new TokenAuth(TOKENS), heartbeatMs: 20, maxBufferedBytes: 64 * 1024 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const port = (app.server.address() as { port: number }).port;
      const s = await open(`http://127.0.0.1:${port}/events`);
      await until(() => s.comments.includes('ping'), 'heartbeat');
      expect(s.events).toEqual([]);
      s.close();
      await until(() => bus.subscribers === 0, 'unsubscribed');

      // A client that never reads: its socket buffer fills and the route hangs up on it.
      const stalled = await request(`http://127.0.0.1:${port}/events`, { headers: bearer(VIEWER) });
      stalled.body.pause();
      await until(() => bus.subscribers === 1, 'stalled subscribed');
      const big = 'x'.repeat(16 * 1024);
      for (let i = 0; i < 2_000 && bus.subscribers > 0; i++) {
        bus.publish('decision', 'api', Date.now(), { kind: 'filler', message: big });
        await new Promise((r) => setImmediate(r));
      }
      expect(bus.subscribers).toBe(0);
      stalled.body.destroy();
    } finally {
      await app.close();
    }
  });
});

describe('EventBus', () => {
  it('keeps a bounded ring and reports gaps', () => {
    const bus = new EventBus({ capacity: 3, firstId: 10 });
    expect(bus.since(9)).toEqual({ gap: false, events: [] });
    const got: number[] = [];
    const off = bus.subscribe((e) => got.push(e.id));
    for (let i = 0; i < 5; i++) bus.publish('decision', 'api', i, { i });
    off();
    bus.publish('state', 'api', 5, {});
    expect(got).toEqual([10, 11, 12, 13, 14]);
    expect(bus.lastId).toBe(15);
    expect(bus.since(12).events.map((e) => e.id)).toEqual([13, 14, 15]);
    expect(bus.since(15)).toEqual({ gap: false, events: [] });
    expect(bus.since(11).gap).toBe(true);
    expect(bus.since(16).gap).toBe(true);
    expect(bus.since(Number.NaN).gap).toBe(true);
  });

  it('a throwing listener does not stop the publisher or the others', () => {
    const bus = new EventBus();
    const got: string[] = [];
    bus.subscribe(() => {
      throw new Error('boom');
    });
    bus.subscribe((e) => got.push(e.type));
    expect(() => bus.publish('state', 'api', 0, {})).not.toThrow();
    expect(got).toEqual(['state']);
  });

  it('ids start above any id a previous process could have issued', () => {
    const before = Date.now() * 1_000;
    expect(new EventBus().lastId).toBeGreaterThanOrEqual(before - 1);
  });
});
