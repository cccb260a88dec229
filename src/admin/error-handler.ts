/**
 * One JSON error shape for every refusal: `{statusCode, code, error, message}`, where `code` is
 * always one of ours (WD_ERR_*, from the catalogue), so clients and the CLI branch on it and never
 * on Fastify's own codes, which are an implementation detail.
 */
import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { http } from '../infra/node-http.ts';
import {
  WD_ERR_BAD_REQUEST,
  WD_ERR_BODY_TOO_LARGE,
  WD_ERR_NOT_FOUND,
  WD_ERR_REQUEST_REFUSED,
  WD_ERR_REQUEST_TIMEOUT,
  WD_ERR_UNSUPPORTED_MEDIA_TYPE,
} from '../infra/errors.ts';

export interface ErrorPayload {
  statusCode: number;
  code: string;
  error: string;
  message: string;
}

/** Untrusted text (URLs, parser messages, header values) is echoed only this far. */
const ECHO_LIMIT = 200;
const clip = (s: string) => (s.length > ECHO_LIMIT ? `${s.slice(0, ECHO_LIMIT)}…` : s);
const isOurs = (error: FastifyError) => typeof error.code === 'string' && error.code.startsWith('WD_ERR_');

function payload(statusCode: number, error: { code: string; message: string }): ErrorPayload {
  return { statusCode, code: error.code, error: http.STATUS_CODES[statusCode] ?? 'Error', message: error.message };
}

/** Maps any error to the payload; 5xx details stay in the log, never in the answer. */
export function toPayload(error: FastifyError, request: FastifyRequest, bodyLimit: number): ErrorPayload {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const where = error.validationContext ?? 'request';
    const problems = error.validation.map((v) => {
      const path = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      return `${path ? `${where}.${path}` : where}: ${v.message}`;
    });
    return payload(400, new WD_ERR_BAD_REQUEST(clip(problems.join('; '))));
  }
  const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
  // Our own codes are deliberate, including a 503 like WD_ERR_STORE_UNAVAILABLE, and safe to explain.
  if (isOurs(error)) return payload(status, error);
  if (status >= 500) return payload(status, { code: 'WD_ERR_INTERNAL', message: 'internal error' });
  // What remains are Fastify's 4xx (unparsable JSON, body too large, bad URL, ...): same status, our code.
  if (status === 400) return payload(400, new WD_ERR_BAD_REQUEST(clip(error.message)));
  if (status === 404) return payload(404, new WD_ERR_NOT_FOUND(request.method, clip(request.url)));
  if (status === 413) return payload(413, new WD_ERR_BODY_TOO_LARGE(bodyLimit));
  if (status === 415) return payload(415, new WD_ERR_UNSUPPORTED_MEDIA_TYPE(clip(String(request.headers['content-type'] ?? 'none'))));
  return payload(status, new WD_ERR_REQUEST_REFUSED(clip(error.message)));
}

/** Node's parser and timeout errors, answered like every other refusal (Fastify's `clientErrorHandler`). */
export function clientErrorHandler(error: Error & { code?: string }, socket: Socket): void {
  // Reset by the client: there is nobody to answer.
  if (error.code === 'ECONNRESET' || socket.destroyed) return;
  const [status, reason] =
    error.code === 'ERR_HTTP_REQUEST_TIMEOUT'
      ? [408, new WD_ERR_REQUEST_TIMEOUT()]
      : error.code === 'HPE_HEADER_OVERFLOW'
        ? [431, new WD_ERR_REQUEST_REFUSED('request headers too large')]
        : [400, new WD_ERR_BAD_REQUEST('malformed HTTP request')];
  const body = JSON.stringify(payload(status, reason));
  if (socket.writable) {
    socket.write(`HTTP/1.1 ${status} ${http.STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
  }
  socket.destroy();
}

/** Installs the error handler and a JSON 404 for unknown routes (and known routes with another method). */
export function installErrorHandling(app: FastifyInstance, bodyLimit: number): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const answer = toPayload(error, request, bodyLimit);
    if (answer.code === 'WD_ERR_INTERNAL') request.log.error({ err: error }, 'admin request failed');
    request.outcome = `${answer.code}: ${answer.message}`;
    return reply.code(answer.statusCode).send(answer);
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send(payload(404, new WD_ERR_NOT_FOUND(request.method, clip(request.url)))));
}

/** For Fastify's `frameworkErrors` option: a URL that cannot be decoded never reaches a route. */
export function frameworkErrors(error: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  void reply.code(400).send(payload(400, new WD_ERR_BAD_REQUEST(clip(error.message))));
}

declare module 'fastify' {
  interface FastifyRequest {
    /** A short outcome for the audit trail: set by the handler on success, by the error handler on refusal. */
    outcome?: string;
  }
}
