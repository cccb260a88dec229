/**
 * The status page's event-stream client (static/lib/sse.js, plain browser JS) run under Node against
 * the real events route on 127.0.0.1: the bearer header, resuming with Last-Event-ID across a server
 * restart, a dead (silent) stream, and stopping on 401. The browser test covers it in Chromium too.
 */
import Fastify from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { TokenAuth } from '../../src/admin/auth.ts';
import { eventsRoutes } from '../../src/admin/events-routes.ts';
import { EventBus } from '../../src/guard/event-bus.ts';
import type { Watchdog } from '../../src/guard/watchdog.ts';
import { TOKENS, VIEWER } from '../admin/harness.ts';
import { pollUntil } from '../support/poll.ts';

interface Frame {
  id: string;
  type: string;
  data: string;
}
interface Follower {
  close(): Promise<void>;
  readonly lastEventId: string;
}
interface SseModule {
  followEvents(
    url: string,
    options: {
      getToken(): string | null;
      onEvent(event: Frame): void;
      onStatus?(state: string, info: { reconnected?: boolean }): void;
      onAuthError?(status: number): void;
      backoff?(attempt: number): number;
      idleMs?: number;
    },
  ): Follower;
}

// A plain-JS module with no type declarations: loaded by URL, typed by the interface above.
const { followEvents } = (await import(new URL('../../src/admin/ui/static/lib/sse.js', import.meta.url).href)) as SseModule;

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function serve(bus: EventBus, port = 0, seen: { authorization?: string; lastEventId?: string }[] = []) {
  const app = Fastify();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.addHook('onRequest', async (req) => {
    seen.push({ ...(req.headers.authorization && { authorization: req.headers.authorization }), ...(req.headers['last-event-id'] && { lastEventId: String(req.headers['last-event-id']) }) });
  });
  await app.register(eventsRoutes, { prefix: '/api/v1', watchdog: { events: bus } as unknown as Watchdog, auth: new TokenAuth(TOKENS) });
  await app.listen({ host: '127.0.0.1', port });
  return { app, port: (app.server.address() as AddressInfo).port, seen };
}

function follow(url: string, token: string | null = VIEWER, idleMs?: number) {
  const events: Frame[] = [];
  const statuses: string[] = [];
  const authErrors: number[] = [];
  const follower = followEvents(url, {
    getToken: () => token,
    onEvent: (e) => events.push(e),
    onStatus: (state, info) => statuses.push(info.reconnected ? `${state} (again)` : state),
    onAuthError: (status) => authErrors.push(status),
    backoff: () => 20,
    ...(idleMs && { idleMs }),
  });
  cleanups.push(() => follower.close());
  return { follower, events, statuses, authErrors };
}

const kinds = (events: Frame[]) => events.map((e) => (JSON.parse(e.data) as { data: { kind: string } }).data.kind);

describe('the status page event client (static/lib/sse.js)', () => {
  it('sends the bearer header, and resumes from Last-Event-ID after the server restarts: nothing lost, nothing twice', async () => {
    const bus = new EventBus({ firstId: 1 });
    let server = await serve(bus);
    const { port, seen } = server;
    cleanups.push(() => server.app.close());
    const f = follow(`http://127.0.0.1:${port}/api/v1/events`);
    await pollUntil(() => bus.subscribers === 1, { what: 'the subscription' });
    const first = bus.publish('decision', 'api', 1, { kind: 'guard-started' });
    await pollUntil(() => f.events.length === 1, { what: 'the first event' });

    await server.app.close();
    await pollUntil(() => f.statuses.at(-1) === 'reconnecting', { what: 'the drop' });
    bus.publish('decision', 'api', 2, { kind: 'release-failed' });
    bus.publish('state', 'api', 3, { kind: 'failing' });
    server = await serve(bus, port, seen);
    await pollUntil(() => f.events.length === 3, { what: 'the replay' });
    bus.publish('decision', 'api', 4, { kind: 'rollback-started' });
    await pollUntil(() => f.events.length === 4, { what: 'a live event after the reconnect' });

    expect(kinds(f.events)).toEqual(['guard-started', 'release-failed', 'failing', 'rollback-started']);
    expect(f.events.map((e) => e.type)).toEqual(['decision', 'decision', 'state', 'decision']);
    expect(f.follower.lastEventId).toBe(String(first.id + 3));
    // Connection attempts while the server was down never reached it: two requests, both authorized.
    expect(seen).toEqual([{ authorization: `Bearer ${VIEWER}` }, { authorization: `Bearer ${VIEWER}`, lastEventId: String(first.id) }]);
    expect(f.statuses).toContain('live (again)');
  });

  it('stops on 401 instead of retrying: a new token is needed', async () => {
    const { app, port, seen } = await serve(new EventBus({ firstId: 1 }));
    cleanups.push(() => app.close());
    const f = follow(`http://127.0.0.1:${port}/api/v1/events`, 'not-a-valid-token-000');
    await pollUntil(() => f.statuses.includes('stopped'), { what: 'the stop' });
    expect(f.authErrors).toEqual([401]);
    expect(seen).toHaveLength(1);
  });

  it('treats a stream silent for longer than idleMs as dead and reconnects', async () => {
    // Sends the headers, then nothing: a connection a proxy or NAT silently dropped.
    let requests = 0;
    const silent = createServer((_req, res) => {
      requests++;
      res.writeHead(200, { 'content-type': 'text/event-stream' });
      res.flushHeaders();
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    cleanups.push(async () => {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    });
    follow(`http://127.0.0.1:${(silent.address() as AddressInfo).port}/`, VIEWER, 150);
    await pollUntil(() => requests >= 3, { what: 'two reconnects', timeoutMs: 5_000 });
  });
});
