/**
 * The audit trail of operator actions: one onResponse hook on the acting scope records every
 * answer there (success or refusal, 400 to 429 included), so no route can forget to. Bounded and
 * clean (issue 16): refusals (401, 403, 429, and any 4xx without a valid token) are counted per
 * source and minute instead of written one by one (audit-refusals.ts), every string is masked and
 * clipped (audit-params.ts), and old entries are pruned every minute (audit-retention.ts).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Clock } from '../infra/clock.ts';
import type { Logger } from '../infra/log.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import type { AuditEntry, Store } from '../store/types.ts';
import { auditParams, cleanEntry } from './audit-params.ts';
import { RefusalCounter } from './audit-refusals.ts';
import type { AuditRetention } from './audit-retention.ts';
import type { Principal } from './auth.ts';

export interface AuditDeps {
  /** Absent: entries go to the log only (see AppDeps.store). */
  store: Store | undefined;
  clock: Clock;
  logger: Logger;
  /** Who sent the request, even when auth refused it (403) or never ran (429). */
  identify: (authorization: string | undefined) => Principal | undefined;
  /** Masked by value in everything stored. */
  secrets?: SecretRegistry;
  retention: AuditRetention;
  /** Counts each action for /metrics. */
  count?: (action: string, outcome: string) => void;
}

/** How often finished minutes of refusals are written and old entries pruned. */
const TICK_MS = 60_000;

/** The target an action concerns: the path's, the body's (mode, deploys), or `*` for global ones. */
function auditTarget(request: FastifyRequest): string {
  const fromPath = (request.params as { name?: unknown } | undefined)?.name;
  if (typeof fromPath === 'string') return fromPath;
  const fromBody = (request.body as { target?: unknown } | undefined)?.target;
  return typeof fromBody === 'string' ? fromBody.slice(0, 63) : '*';
}

const actionOf = (request: FastifyRequest) => request.routeOptions.config.action ?? `${request.method} ${request.routeOptions.url ?? '(unknown route)'}`;

/** A refusal is counted, not written: it needs no token to cause, so it must cost no row. */
const isRefusal = (status: number, principal: Principal | undefined) => status === 401 || status === 403 || status === 429 || (status >= 400 && status < 500 && !principal);

export class AuditTrail {
  readonly #deps: AuditDeps;
  readonly #log: Logger;
  readonly #refusals = new RefusalCounter();
  readonly #timer: NodeJS.Timeout;

  constructor(deps: AuditDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'audit' });
    this.#timer = setInterval(() => void this.tick(), TICK_MS);
    this.#timer.unref();
  }

  /** Records the answer to one request on the acting scope; a failed write is logged, never thrown. */
  async record(request: FastifyRequest, status: number): Promise<void> {
    const principal = request.principal ?? this.#deps.identify(request.headers.authorization);
    const action = actionOf(request);
    const at = this.#deps.clock.now();
    this.#deps.count?.(action, status < 400 ? 'ok' : 'refused');
    if (isRefusal(status, principal)) {
      const refusal = { at, actor: principal?.name ?? 'anonymous', role: principal?.role ?? 'none', source: request.ip, action, status };
      this.#log.debug({ refusal }, 'request refused (counted in the audit trail)');
      this.#refusals.add(refusal);
      if (this.#refusals.hasClosed(at)) await this.flush();
      return;
    }
    const params = auditParams({ path: request.params, query: request.query, body: request.body }, this.#deps.secrets);
    await this.#write({
      at,
      actor: principal?.name ?? 'anonymous',
      role: principal?.role ?? 'none',
      action,
      target: auditTarget(request),
      ...(params && { params }),
      status,
      result: request.outcome ?? (status < 400 ? 'ok' : 'refused'),
      source: request.ip,
    });
  }

  /** Writes the counts of finished minutes, or (`all`) of every minute, the current one included. */
  async flush(all = false): Promise<void> {
    for (const entry of this.#refusals.take(this.#deps.clock.now(), all)) await this.#write(entry);
  }

  /** Stops the timer and writes what is still counted. */
  async close(): Promise<void> {
    clearInterval(this.#timer);
    await this.flush(true);
  }

  async #write(raw: AuditEntry): Promise<void> {
    const entry = cleanEntry(raw, this.#deps.secrets);
    this.#log.info({ audit: entry }, entry.action === 'refused' ? 'refused requests' : 'operator action');
    try {
      await this.#deps.store?.appendAudit(entry);
    } catch (err) {
      this.#log.error({ err, audit: entry }, 'could not write the audit entry');
    }
  }

  /** What the timer does every minute: write the finished minutes' counts, then prune. */
  async tick(): Promise<void> {
    await this.flush();
    await this.#prune();
  }

  async #prune(): Promise<void> {
    const { maxAgeMs, maxEntries } = this.#deps.retention;
    try {
      const removed = (await this.#deps.store?.pruneAudit(this.#deps.clock.now() - maxAgeMs, maxEntries)) ?? 0;
      if (removed > 0) this.#log.info({ removed, maxAgeMs, maxEntries }, 'pruned the audit trail');
    } catch (err) {
      this.#log.error({ err }, 'could not prune the audit trail');
    }
  }
}

/** Installs the hook on `scope` (the acting plugin). */
export function auditActions(scope: FastifyInstance, trail: AuditTrail): void {
  scope.addHook('onResponse', async (request, reply) => trail.record(request, reply.statusCode));
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The audit trail's name for the action a route performs, e.g. `rollback`. */
    action?: string;
  }
}
