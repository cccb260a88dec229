/**
 * A budget on operator actions, so a runaway script cannot flood the platform with rollbacks or
 * the audit trail with noise. Counted per token (its configured name) or, without a valid token,
 * per client IP; in memory, so a restart resets it.
 */
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { WD_ERR_RATE_LIMITED } from '../infra/errors.ts';
import type { Principal } from './auth.ts';

export interface ActionRateLimit {
  /** Actions allowed per key within the window. */
  max: number;
  windowMs: number;
}

export const DEFAULT_ACTION_RATE_LIMIT: ActionRateLimit = { max: 30, windowMs: 60_000 };

/**
 * Adds the limit as the scope's first onRequest hook, ahead of auth: unauthenticated guessing is
 * limited too, and a 429 costs no token comparison beyond the key lookup.
 */
export async function limitActions(
  scope: FastifyInstance,
  limit: ActionRateLimit,
  identify: (authorization: string | undefined) => Principal | undefined,
): Promise<void> {
  await scope.register(rateLimit, {
    global: false,
    max: limit.max,
    timeWindow: limit.windowMs,
    keyGenerator: (request) => {
      const principal = identify(request.headers.authorization);
      return principal ? `token:${principal.name}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) => new WD_ERR_RATE_LIMITED(context.after),
  });
  scope.addHook('onRequest', scope.rateLimit());
}
