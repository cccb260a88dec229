/**
 * `GET /api/v1/events` (viewer role): the guard's decisions and phase changes as server-sent events,
 * for the status page. Frames are `id: N\nevent: state|decision\ndata: <json>\n\n`, where the data is
 * `{id, type, target, at (ISO), data}`; `data` is a target summary (as in GET /targets) for `state`
 * and `{kind, message, data?, incidentId?}` for `decision`.
 *
 * A client resuming with `Last-Event-ID` (or `?lastEventId=`) first gets what it missed from the
 * in-memory ring; when that is no longer possible it gets one `reset` event and should reload the
 * full state from GET /status. Auth stays in the Authorization header (never a query token).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { ServerResponse } from 'node:http';
import { z } from 'zod';
import type { BusEvent } from '../guard/event-bus.ts';
import type { Watchdog } from '../guard/watchdog.ts';
import { WD_ERR_SERVER_BUSY, WD_ERR_STREAM_LIMIT } from '../infra/errors.ts';
import { actorName, type TokenAuth } from './auth.ts';
import { DEFAULT_ADMIN_LIMITS, RETRY_AFTER_SECONDS } from './limits.ts';
import { errors } from './response-schema.ts';

export interface EventsRoutesOptions {
  watchdog: Watchdog;
  auth: TokenAuth;
  /** Comment heartbeat interval; 15 s by default (keeps proxies and idle timeouts from closing the stream). */
  heartbeatMs?: number;
  /** A client whose unsent output grows past this many bytes is dropped (it resumes by Last-Event-ID). */
  maxBufferedBytes?: number;
  /** Open streams in all and per token: beyond them a stream is refused (503, 429) with Retry-After. */
  maxStreams?: number;
  maxStreamsPerToken?: number;
}

export const EventsQuery = z.strictObject({ lastEventId: z.coerce.number().int().nonnegative().optional() });

/** One SSE frame. JSON never contains a raw newline, so `data` is always a single line. */
export function frame(event: BusEvent): string {
  const data = { id: event.id, type: event.type, target: event.target, at: new Date(event.at).toISOString(), data: event.data };
  return `id: ${event.id}\nevent: ${event.type}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The resume point: the header wins (that is what EventSource sends), then the query. NaN when unparsable. */
function resumeFrom(header: string | string[] | undefined, query: number | undefined): number | undefined {
  const value = Array.isArray(header) ? header[0] : header;
  if (value !== undefined && value.trim() !== '') return /^\d+$/.test(value.trim()) ? Number(value.trim()) : Number.NaN;
  return query;
}

export const eventsRoutes: FastifyPluginAsync<EventsRoutesOptions> = async (fastify, options) => {
  const { watchdog, auth } = options;
  const heartbeatMs = options.heartbeatMs ?? 15_000;
  const maxBuffered = options.maxBufferedBytes ?? 1024 * 1024;
  const maxStreams = options.maxStreams ?? DEFAULT_ADMIN_LIMITS.eventStreams;
  const maxPerToken = options.maxStreamsPerToken ?? DEFAULT_ADMIN_LIMITS.eventStreamsPerToken;
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.addHook('onRequest', auth.require('viewer'));

  // Open streams never finish on their own: end them when the server closes, or close() would wait.
  const open = new Set<ServerResponse>();
  const perToken = new Map<string, number>();
  app.addHook('preClose', async () => {
    for (const raw of open) raw.end();
  });

  app.get(
    '/events',
    {
      schema: {
        tags: ['read'],
        summary: 'Live decisions and phase changes (text/event-stream; resume with Last-Event-ID)',
        querystring: EventsQuery,
        response: { 200: z.string().describe('text/event-stream: `state`, `decision` and `reset` events, `: ping` every 15 s'), ...errors(400, 401, 403, 429, 503) },
      },
    },
    (request, reply) => {
      // Each stream holds a connection for ever: past the caps, refuse and hang up.
      const token = actorName(request.principal);
      const mine = perToken.get(token) ?? 0;
      if (mine >= maxPerToken || open.size >= maxStreams) {
        reply.header('retry-after', String(RETRY_AFTER_SECONDS)).header('connection', 'close');
        throw mine >= maxPerToken ? new WD_ERR_STREAM_LIMIT(token, maxPerToken) : new WD_ERR_SERVER_BUSY(`${maxStreams} event streams`, RETRY_AFTER_SECONDS);
      }
      const from = resumeFrom(request.headers['last-event-id'], request.query.lastEventId);
      const bus = watchdog.events;
      reply.hijack();
      const raw = reply.raw;
      raw.writeHead(200, {
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-cache',
        connection: 'keep-alive',
        'x-accel-buffering': 'no',
      });
      open.add(raw);
      perToken.set(token, mine + 1);

      let closed = false;
      const send = (text: string) => {
        if (closed) return;
        raw.write(text);
        // A client that stopped reading must not hold memory: drop it, it resumes by id.
        if (raw.writableLength > maxBuffered) {
          request.log.warn({ buffered: raw.writableLength }, 'events: slow client dropped');
          raw.destroy();
        }
      };

      // Replay and subscribe in the same tick: no event can fall between the two.
      raw.write(`retry: 3000\n\n`);
      if (from !== undefined) {
        const missed = bus.since(from);
        // The reset carries the current id, so the client's next reconnect resumes from here.
        if (missed.gap) send(`id: ${bus.lastId}\nevent: reset\ndata: ${JSON.stringify({ reason: 'events since the given id are no longer available; reload GET /status', lastEventId: bus.lastId })}\n\n`);
        for (const event of missed.events) send(frame(event));
      }
      const unsubscribe = bus.subscribe((event) => send(frame(event)));
      const heartbeat = setInterval(() => send(': ping\n\n'), heartbeatMs);
      heartbeat.unref();

      const cleanup = () => {
        if (closed) return;
        closed = true;
        clearInterval(heartbeat);
        unsubscribe();
        open.delete(raw);
        const left = (perToken.get(token) ?? 1) - 1;
        if (left > 0) perToken.set(token, left);
        else perToken.delete(token);
      };
      raw.on('close', cleanup);
      raw.on('error', cleanup);
    },
  );
};
