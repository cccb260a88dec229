/**
 * No body is read before authentication (issue 16: unauthenticated POSTs dribbling a body were
 * answered 401, yet the server went on reading the body for ever, one connection each). Every
 * token check runs in an onRequest hook, before the body is parsed; this makes sure that a request
 * answered before its body arrived also ends its connection, so Node does not drain the body to
 * keep the connection alive. An unknown route with a body is answered the same way, unparsed.
 */
import type { FastifyInstance } from 'fastify';
import type { IncomingMessage } from 'node:http';
import { WD_ERR_NOT_FOUND } from '../infra/errors.ts';

const hasBody = (raw: IncomingMessage) =>
  raw.headers['transfer-encoding'] !== undefined || (raw.headers['content-length'] !== undefined && raw.headers['content-length'] !== '0');

export function closeUnreadBodies(app: FastifyInstance): void {
  app.addHook('onRequest', async (request) => {
    if (request.is404 && hasBody(request.raw)) throw new WD_ERR_NOT_FOUND(request.method, request.url.slice(0, 200));
  });
  app.addHook('onSend', async (request, reply, payload) => {
    // `complete` is false only on a real socket whose body is not all in; `inject` leaves it unset.
    if (request.raw.complete === false) reply.header('connection', 'close');
    return payload;
  });
}
