/**
 * The `admin` section of the config: where the admin API listens, its tokens, its limits against
 * hostile clients and its audit trail's retention (issue 16). Same conventions as schema.ts.
 */
import { z } from 'zod';
import { Duration } from '../infra/duration.ts';

const Name = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'use lowercase letters, digits, "-" or "_" (max 63)');

export const AdminToken = z.strictObject({
  name: Name,
  role: z.enum(['viewer', 'operator']),
  token: z.string().min(16, 'tokens must be at least 16 characters'),
});

/** A budget of `max` per `window`. */
const Budget = (max: number, window: string) =>
  z.strictObject({ max: z.int().min(1).max(100_000).default(max), window: Duration.prefault(window) }).prefault({});

export const AdminLimitsSettings = z
  .strictObject({
    /**
     * Open connections in all; keep it well below the process's file limit. At the cap a new
     * connection closes the oldest one without a request in flight, or is refused with 503.
     */
    maxConnections: z.int().min(16).max(65_536).default(256),
    /** The request line and headers must arrive within this. */
    headersTimeout: Duration.prefault('10s'),
    /** The whole request, body included, must arrive within this (408 otherwise). */
    requestTimeout: Duration.prefault('30s'),
    /** An idle keep-alive connection is closed after this. */
    keepAliveTimeout: Duration.prefault('5s'),
    /** Largest request body; every admin body is a few fields. */
    maxBodyBytes: z.int().min(1024).max(16 * 1024 * 1024).default(64 * 1024),
    /** Open event streams (GET /api/v1/events) in all, and per token; beyond them 503 or 429. */
    eventStreams: z.int().min(1).max(10_000).default(64),
    eventStreamsPerToken: z.int().min(1).max(10_000).default(8),
    /** Wrong tokens per client address; past it, only tokens that worked from there before pass (429). */
    failedAuth: Budget(20, '1m'),
    /** Operator actions per token (or per address without a valid token); past it 429. */
    actions: Budget(30, '1m'),
  })
  .superRefine((limits, ctx) => {
    if (limits.headersTimeout > limits.requestTimeout) {
      ctx.addIssue({ code: 'custom', path: ['headersTimeout'], message: 'must not be longer than requestTimeout (the headers are part of the request)' });
    }
    if (limits.eventStreams >= limits.maxConnections) {
      ctx.addIssue({ code: 'custom', path: ['eventStreams'], message: 'must be below maxConnections, or streams could take every connection' });
    }
  });

export const AdminSettings = z.strictObject({
  host: z.string().min(1).default('127.0.0.1'),
  port: z.int().min(0).max(65535).default(8080),
  tokens: z.array(AdminToken).default([]),
  limits: AdminLimitsSettings.prefault({}),
  audit: z
    .strictObject({
      /** Entries older than this are deleted (checked every minute). */
      maxAge: Duration.prefault('365d'),
      /** Beyond this many entries the oldest are deleted. */
      maxEntries: z.int().min(100).max(10_000_000).default(50_000),
    })
    .prefault({}),
});
export type AdminSettings = z.infer<typeof AdminSettings>;
