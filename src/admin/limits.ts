/**
 * The admin server's limits against hostile clients (issue 16): whoever reaches the port must not be
 * able to lock operators out by holding connections, event streams or half-sent requests, nor to
 * guess tokens at full speed. Configured under `admin.limits` (src/config/admin-schema.ts).
 */
import type { ServerOptions } from 'node:http';
import type { AdminSettings } from '../config/admin-schema.ts';
import type { AuditRetention } from './audit-retention.ts';
import type { ActionRateLimit } from './rate-limit.ts';

export interface FailedAuthLimit {
  /** Failed authentications allowed per client address within the window. */
  max: number;
  windowMs: number;
}

export interface AdminLimits {
  /**
   * Open connections in all. At the cap, a new connection closes the oldest one that has no request
   * in flight (a half-sent request or an idle keep-alive); with none, it gets 503 and is closed.
   */
  maxConnections: number;
  /** The request line and headers must arrive within this. */
  headersTimeoutMs: number;
  /** The whole request, body included, must arrive within this (408 otherwise). */
  requestTimeoutMs: number;
  /** An idle keep-alive connection is closed after this. */
  keepAliveTimeoutMs: number;
  /** Open event streams (GET /api/v1/events) in all, and per token. */
  eventStreams: number;
  eventStreamsPerToken: number;
  /** false: no limit (tests that fuzz with many wrong tokens from one address). */
  failedAuth: FailedAuthLimit | false;
}

export const DEFAULT_ADMIN_LIMITS: AdminLimits = {
  maxConnections: 256,
  headersTimeoutMs: 10_000,
  requestTimeoutMs: 30_000,
  keepAliveTimeoutMs: 5_000,
  eventStreams: 64,
  eventStreamsPerToken: 8,
  failedAuth: { max: 20, windowMs: 60_000 },
};

/** What a refused client is told to wait before trying again, in seconds. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * Node checks header and request timeouts on a timer, every 30 s by default: a slow client could
 * then hold its connection up to 30 s past the timeout. Once a second costs one pass over at most
 * `maxConnections` sockets.
 */
const CONNECTIONS_CHECKING_INTERVAL_MS = 1_000;

/** Fastify's own options for the timeouts (the connection cap is connection-guard.ts). */
export function serverOptions(limits: AdminLimits): { requestTimeout: number; keepAliveTimeout: number; http: ServerOptions } {
  return {
    requestTimeout: limits.requestTimeoutMs,
    keepAliveTimeout: limits.keepAliveTimeoutMs,
    http: {
      headersTimeout: limits.headersTimeoutMs,
      requestTimeout: limits.requestTimeoutMs,
      connectionsCheckingInterval: Math.min(CONNECTIONS_CHECKING_INTERVAL_MS, limits.headersTimeoutMs),
    },
  };
}

/** The `admin` config section as buildApp's options. */
export function adminOptions({ limits, audit }: AdminSettings): { bodyLimit: number; rateLimit: ActionRateLimit; limits: AdminLimits; auditRetention: AuditRetention } {
  return {
    bodyLimit: limits.maxBodyBytes,
    rateLimit: { max: limits.actions.max, windowMs: limits.actions.window },
    limits: {
      maxConnections: limits.maxConnections,
      headersTimeoutMs: limits.headersTimeout,
      requestTimeoutMs: limits.requestTimeout,
      keepAliveTimeoutMs: limits.keepAliveTimeout,
      eventStreams: limits.eventStreams,
      eventStreamsPerToken: limits.eventStreamsPerToken,
      failedAuth: { max: limits.failedAuth.max, windowMs: limits.failedAuth.window },
    },
    auditRetention: { maxAgeMs: audit.maxAge, maxEntries: audit.maxEntries },
  };
}
