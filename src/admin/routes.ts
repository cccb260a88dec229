/**
 * The `/api/v1` routes, in two scopes. Reads (viewer role) answer and change nothing. The acting
 * scope (operator role) changes the guard, and everything in it is rate-limited and audited by
 * scope-level hooks, so a route added there later cannot skip either.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { Clock } from '../infra/clock.ts';
import type { Watchdog } from '../guard/watchdog.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import type { Store } from '../store/types.ts';
import { auditActions, type AuditTrail } from './audit.ts';
import type { TokenAuth } from './auth.ts';
import { deployRoutes, gateRoutes } from './ci-routes.ts';
import { controlRoutes } from './control-routes.ts';
import { eventsRoutes } from './events-routes.ts';
import { decisionRoutes } from './decision-routes.ts';
import type { AdminLimits } from './limits.ts';
import { limitActions, type ActionRateLimit } from './rate-limit.ts';
import { readRoutes } from './read-routes.ts';
import { incidentRoutes } from './incident-routes.ts';
import { mobileActRoutes, mobileReadRoutes, type MobileApp } from './mobile-routes.ts';

export interface AdminRoutesOptions {
  watchdog: Watchdog;
  auth: TokenAuth;
  store: Store | undefined;
  clock: Clock;
  /** Where the acting scope's answers are recorded. */
  trail: AuditTrail;
  /** The caps on event streams. */
  limits: Pick<AdminLimits, 'eventStreams' | 'eventStreamsPerToken'>;
  /** false: no limit (tests that drive many actions, e.g. the fuzz test). */
  rateLimit: ActionRateLimit | false;
  /** Masked in audit entries served, stored before masking existed included. */
  secrets?: SecretRegistry;
  /** Expo apps for manual OTA rollback. */
  mobile?: ReadonlyMap<string, MobileApp>;
}

export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (api, options) => {
  const { watchdog, auth, store } = options;
  await api.register(readRoutes, { watchdog, auth, store, ...(options.secrets && { secrets: options.secrets }) });
  // GET /events: the live SSE feed (viewer role, same as the other reads).
  await api.register(eventsRoutes, { watchdog, auth, maxStreams: options.limits.eventStreams, maxStreamsPerToken: options.limits.eventStreamsPerToken });
  await api.register(gateRoutes, { watchdog, auth });
  await api.register(incidentRoutes, { auth, store, clock: options.clock });
  const mobile = options.mobile ?? new Map<string, MobileApp>();
  await api.register(mobileReadRoutes, { apps: mobile, auth });

  await api.register(async (acting) => {
    const identify = (authorization: string | undefined) => auth.identify(authorization);
    // Hook order is the order of these lines: limit, then auth; the audit sees every answer.
    if (options.rateLimit) await limitActions(acting, options.rateLimit, identify);
    acting.addHook('onRequest', auth.require('operator'));
    auditActions(acting, options.trail);
    await acting.register(controlRoutes, { watchdog });
    await acting.register(decisionRoutes, { watchdog });
    await acting.register(deployRoutes, { watchdog });
    await acting.register(mobileActRoutes, { apps: mobile });
  });
};
