/**
 * Builds the admin HTTP server without starting it: tests use `inject`, and only main.ts listens.
 */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import { serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { AuditTrail } from './admin/audit.ts';
import { DEFAULT_AUDIT_RETENTION, type AuditRetention } from './admin/audit-retention.ts';
import { FailedAuthLimiter, limitFailedAuth } from './admin/auth-failures.ts';
import { guardConnections } from './admin/connection-guard.ts';
import { registerDocs } from './admin/docs.ts';
import { clientErrorHandler, frameworkErrors, installErrorHandling } from './admin/error-handler.ts';
import { installJsonParser } from './admin/json-body.ts';
import { DEFAULT_ADMIN_LIMITS, RETRY_AFTER_SECONDS, serverOptions, type AdminLimits } from './admin/limits.ts';
import { DEFAULT_ACTION_RATE_LIMIT, type ActionRateLimit } from './admin/rate-limit.ts';
import { adminRoutes } from './admin/routes.ts';
import { closeUnreadBodies } from './admin/unread-body.ts';
import { uiRoutes } from './admin/ui/ui-routes.ts';
import type { MobileApp } from './admin/mobile-routes.ts';
import type { TokenAuth } from './admin/auth.ts';
import { systemClock, type Clock } from './infra/clock.ts';
import type { Watchdog } from './guard/watchdog.ts';
import type { Logger } from './infra/log.ts';
import type { Readiness } from './infra/readiness.ts';
import type { SecretRegistry } from './infra/secrets.ts';
import type { Store } from './store/types.ts';

export interface AppDeps {
  watchdog: Watchdog;
  auth: TokenAuth;
  logger: Logger;
  registry: Registry;
  /**
   * Where the audit trail is written and the journal read. Without it, audit entries go to the log
   * only and GET /audit and /targets/:name/journal answer 503 WD_ERR_STORE_UNAVAILABLE.
   */
  store?: Store;
  /** Timestamps of audit entries; the system clock by default. */
  clock?: Clock;
  /** Budget for acting routes per token (or IP); 30 per minute by default, false for none. */
  rateLimit?: ActionRateLimit | false;
  /** Body limit in bytes (64 KiB by default): every admin body is a few fields. */
  bodyLimit?: number;
  /** Connections, timeouts, event streams and failed authentication; DEFAULT_ADMIN_LIMITS for what is left out. */
  limits?: Partial<AdminLimits>;
  /** Configured secrets, masked in the audit trail as in the log. */
  secrets?: SecretRegistry;
  auditRetention?: AuditRetention;
  /** Counts operator actions for /metrics. */
  countAction?: (action: string, outcome: string) => void;
  /** Expo apps for manual OTA rollback. */
  mobile?: ReadonlyMap<string, MobileApp>;
  /** What besides a first release listing /readyz waits for: a store it can write, steps that succeed. */
  readiness?: Readiness;
}

const API_VERSION = '1.0.0';

export function buildApp(deps: AppDeps): FastifyInstance {
  const bodyLimit = deps.bodyLimit ?? 64 * 1024;
  const limits: AdminLimits = { ...DEFAULT_ADMIN_LIMITS, ...deps.limits };
  const clock = deps.clock ?? systemClock;
  const app = Fastify({
    loggerInstance: deps.logger.child({ component: 'admin' }) as FastifyBaseLogger,
    bodyLimit,
    frameworkErrors,
    clientErrorHandler,
    ...serverOptions(limits),
  });
  guardConnections(app.server, { maxConnections: limits.maxConnections, retryAfterSeconds: RETRY_AFTER_SECONDS, logger: deps.logger });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  installErrorHandling(app, bodyLimit);
  installJsonParser(app);
  closeUnreadBodies(app);
  if (limits.failedAuth) limitFailedAuth(app, new FailedAuthLimiter(limits.failedAuth, clock), deps.auth);
  registerDocs(app, API_VERSION);

  const trail = new AuditTrail({
    store: deps.store,
    clock,
    logger: deps.logger,
    identify: (authorization) => deps.auth.identify(authorization),
    retention: deps.auditRetention ?? DEFAULT_AUDIT_RETENTION,
    ...(deps.secrets && { secrets: deps.secrets }),
    ...(deps.countAction && { count: deps.countAction }),
  });
  app.decorate('auditTrail', trail);
  app.addHook('onClose', () => trail.close());

  // Liveness, readiness and metrics stay unauthenticated: Fly's checks and Prometheus call them.
  // They are polled all day, so their request lines are logged only when something goes wrong.
  const quiet = { logLevel: 'warn' as const, schema: { hide: true } };
  app.get('/healthz', quiet, async () => ({ status: 'ok' }));
  // Reasons and scopes only: the errors behind them are in the log (this route is unauthenticated).
  app.get('/readyz', quiet, async (_request, reply) => {
    const troubles = deps.readiness?.troubles() ?? [];
    if (troubles.length > 0) return reply.code(503).send({ status: 'not-ready', reasons: troubles.map(({ reason, scope }) => ({ reason, scope })) });
    return deps.watchdog.ready ? { status: 'ready' } : reply.code(503).send({ status: 'starting' });
  });
  app.get('/metrics', quiet, async (_request, reply) =>
    reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
  );

  app.register(adminRoutes, {
    prefix: '/api/v1',
    watchdog: deps.watchdog,
    auth: deps.auth,
    store: deps.store,
    clock,
    trail,
    limits,
    rateLimit: deps.rateLimit ?? DEFAULT_ACTION_RATE_LIMIT,
    ...(deps.secrets && { secrets: deps.secrets }),
    ...(deps.mobile && { mobile: deps.mobile }),
  });
  // The status page (HTML shells and assets, no data) and GET /api/v1/whoami; see src/admin/ui/.
  app.register(uiRoutes, { auth: deps.auth });
  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The audit trail: `flush(true)` writes the refusal counts now, the current minute's included. */
    auditTrail: AuditTrail;
  }
}
