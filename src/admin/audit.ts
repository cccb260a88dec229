/**
 * The audit trail of operator actions: one onResponse hook on the acting scope records every
 * answer there (success or refusal, 400 to 429 included), so no route can forget to.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../infra/clock.ts';
import type { Logger } from '../infra/log.ts';
import type { AuditEntry, Store } from '../store/types.ts';
import type { Principal } from './auth.ts';

export interface AuditDeps {
  /** Absent: entries go to the log only (see AppDeps.store). */
  store: Store | undefined;
  clock: Clock;
  logger: Logger;
  /** Who sent the request, even when auth refused it (403) or never ran (429). */
  identify: (authorization: string | undefined) => Principal | undefined;
  /** Counts each action for /metrics. */
  count?: (action: string, outcome: string) => void;
}

/** Parameters beyond this (as JSON) are kept as a clipped preview: the trail is not a body store. */
const PARAMS_LIMIT = 2048;

/** What the request asked for: path parameters, query and body. Headers (and so tokens) never. */
export function auditParams(request: FastifyRequest): Record<string, unknown> | undefined {
  const parts: Record<string, unknown> = {};
  if (isNonEmpty(request.params)) parts.path = request.params;
  if (isNonEmpty(request.query)) parts.query = request.query;
  if (request.body !== undefined && request.body !== null) parts.body = request.body;
  if (Object.keys(parts).length === 0) return undefined;
  const json = JSON.stringify(parts);
  return json.length <= PARAMS_LIMIT ? (JSON.parse(json) as Record<string, unknown>) : { truncated: true, preview: json.slice(0, PARAMS_LIMIT) };
}

const isNonEmpty = (v: unknown) => typeof v === 'object' && v !== null && Object.keys(v).length > 0;

/** The target an action concerns: the path's, the body's (mode, deploys), or `*` for global ones. */
function auditTarget(request: FastifyRequest): string {
  const fromPath = (request.params as { name?: unknown } | undefined)?.name;
  if (typeof fromPath === 'string') return fromPath;
  const fromBody = (request.body as { target?: unknown } | undefined)?.target;
  return typeof fromBody === 'string' ? fromBody.slice(0, 63) : '*';
}

export function auditEntry(request: FastifyRequest, status: number, deps: AuditDeps): AuditEntry {
  const principal = request.principal ?? deps.identify(request.headers.authorization);
  const params = auditParams(request);
  return {
    at: deps.clock.now(),
    actor: principal?.name ?? 'anonymous',
    role: principal?.role ?? 'none',
    action: request.routeOptions.config.action ?? `${request.method} ${request.routeOptions.url ?? request.url}`,
    target: auditTarget(request),
    ...(params && { params }),
    status,
    result: request.outcome ?? (status < 400 ? 'ok' : 'refused'),
  };
}

/** Installs the hook on `scope` (the acting plugin); a failed write is logged, never thrown. */
export function auditActions(scope: FastifyInstance, deps: AuditDeps): void {
  const log = deps.logger.child({ component: 'audit' });
  scope.addHook('onResponse', async (request, reply) => {
    const entry = auditEntry(request, reply.statusCode, deps);
    log.info({ audit: entry }, 'operator action');
    deps.count?.(entry.action, entry.status < 400 ? 'ok' : 'refused');
    try {
      await deps.store?.appendAudit(entry);
    } catch (err) {
      log.error({ err, audit: entry }, 'could not write the audit entry');
    }
  });
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The audit trail's name for the action a route performs, e.g. `rollback`. */
    action?: string;
  }
}
