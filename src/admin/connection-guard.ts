/**
 * The connection cap of the admin server, written by hand on purpose. Node's `maxConnections`
 * closes an over-cap socket without a word, and any plain cap is a lock-out in itself: a client
 * that opens connections and sends nothing fills it, and the operator's own request is the one
 * refused. So at the cap a new connection first closes the oldest connection that has no request
 * in flight (a half-sent request, answered 503, or an idle keep-alive, closed as HTTP allows);
 * connections serving a request or an event stream are never touched (streams have caps of their
 * own). Only when every connection is busy is the newcomer refused: 503 with Retry-After, written
 * on the raw socket, since it never reaches the HTTP parser. Slots thus go to whoever completes
 * requests, and a flood of sockets costs at most `maxConnections` file descriptors.
 */
import type { Server } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../infra/log.ts';
import { WD_ERR_SERVER_BUSY } from '../infra/errors.ts';

export interface ConnectionGuardOptions {
  maxConnections: number;
  retryAfterSeconds: number;
  logger: Logger;
}

/** A refused socket is kept this long at most to deliver its 503, then destroyed. */
const REFUSAL_LINGER_MS = 1_000;

/** The raw answer to a connection refused or closed for a newcomer. */
export function busyResponse(what: string, retryAfterSeconds: number): string {
  const error = new WD_ERR_SERVER_BUSY(what, retryAfterSeconds);
  const body = JSON.stringify({ statusCode: 503, code: error.code, error: 'Service Unavailable', message: error.message });
  return [
    'HTTP/1.1 503 Service Unavailable',
    'Content-Type: application/json; charset=utf-8',
    `Content-Length: ${Buffer.byteLength(body)}`,
    `Retry-After: ${retryAfterSeconds}`,
    'Connection: close',
    '',
    body,
  ].join('\r\n');
}

/**
 * Puts the cap in front of the HTTP server's own connection handling: the server's 'connection'
 * listeners (the one that attaches the HTTP parser) run only for admitted sockets. Call it before
 * the server listens.
 */
export function guardConnections(server: Server, options: ConnectionGuardOptions): void {
  const { maxConnections, retryAfterSeconds } = options;
  const log = options.logger.child({ component: 'admin-connections' });
  const open = new Set<Socket>();
  // Insertion order is the order they started waiting: the first is the one to close.
  const waiting = new Set<Socket>();
  // Requests in flight per socket (more than one when a client pipelines).
  const inFlight = new WeakMap<Socket, number>();
  let refusing = 0;
  let evicted = 0;
  let refused = 0;
  const busy = busyResponse(`${maxConnections} connections`, retryAfterSeconds);
  // Logged at the first and every thousandth: a flood must not flood the log as well.
  const note = (count: number, message: string) => {
    if (count === 1 || count % 1000 === 0) log.warn({ maxConnections, count }, message);
  };

  const answerAndClose = (socket: Socket): void => {
    const timer = setTimeout(() => socket.destroy(), REFUSAL_LINGER_MS);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
    socket.end(busy, () => socket.destroy());
  };

  const evictOne = (): boolean => {
    const oldest = waiting.values().next().value;
    if (!oldest) return false;
    waiting.delete(oldest);
    open.delete(oldest);
    note(++evicted, 'admin connection closed for a newcomer: the cap was reached');
    // An idle keep-alive may be closed at any time; a request half sent deserves the answer.
    if (inFlight.has(oldest)) oldest.destroy();
    else answerAndClose(oldest);
    return true;
  };

  const refuse = (socket: Socket): void => {
    note(++refused, 'admin connection refused: every connection is busy');
    // Past this many refusals still being delivered, drop without an answer: descriptors come first.
    if (refusing >= maxConnections) return void socket.destroy();
    refusing++;
    socket.once('close', () => refusing--);
    socket.on('error', () => socket.destroy());
    // Read and drop what the client sends, so closing does not reset the connection before it
    // has read the answer.
    socket.resume();
    answerAndClose(socket);
  };

  const inner = server.listeners('connection') as ((socket: Socket) => void)[];
  server.removeAllListeners('connection');
  server.on('connection', (socket: Socket) => {
    if (open.size >= maxConnections && !evictOne()) return refuse(socket);
    open.add(socket);
    waiting.add(socket);
    socket.once('close', () => {
      open.delete(socket);
      waiting.delete(socket);
    });
    for (const listener of inner) listener.call(server, socket);
  });

  server.on('request', (request, response) => {
    const socket = request.socket;
    waiting.delete(socket);
    inFlight.set(socket, (inFlight.get(socket) ?? 0) + 1);
    response.once('close', () => {
      const left = (inFlight.get(socket) ?? 1) - 1;
      // Kept at 0 rather than deleted: the socket has been served, so it is idle, not half sent.
      inFlight.set(socket, left);
      if (left === 0 && open.has(socket) && !socket.destroyed) waiting.add(socket);
    });
  });
}
