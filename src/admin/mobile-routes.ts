/**
 * Mobile over-the-air rollback (Expo EAS Update), manual only: list a branch's update groups
 * (viewer) and republish an earlier one (operator). Refusals (the previous group was built for
 * another runtime, so only a store rollback helps) come back as 409 with the runbook's steps.
 *
 * One rollback per Expo project at a time (issue 16: two parallel requests each listed the same
 * groups and each ran `eas update:republish`). A request while one runs is refused at once with
 * 409 WD_ERR_OTA_ROLLBACK_IN_PROGRESS rather than queued or joined: a republish is not idempotent,
 * so the operator must look at the outcome of the first before deciding to roll back further.
 * The lock is per daemon process: replicas sharing a database do not share it.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import { WD_ERR_OTA_REFUSED, WD_ERR_OTA_ROLLBACK_IN_PROGRESS, WD_ERR_TARGET_UNKNOWN } from '../infra/errors.ts';
import type { EasPlatform } from '../platform/expo/eas-platform.ts';
import type { TokenAuth } from './auth.ts';

export interface MobileApp {
  name: string;
  environment: string;
  branch: string;
  eas: EasPlatform;
}

const Params = z.strictObject({ name: z.string().min(1).max(63) });
const RollbackBody = z
  .strictObject({
    toGroup: z.string().regex(/^[0-9a-f-]{8,64}$/i, 'not an update group id').optional(),
    message: z.string().min(1).max(1024).optional(),
  })
  .default({});

export const mobileReadRoutes: FastifyPluginAsync<{ apps: ReadonlyMap<string, MobileApp>; auth: TokenAuth }> = async (fastify, { apps, auth }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.addHook('onRequest', auth.require('viewer'));
  app.get('/mobile', { schema: { tags: ['mobile'], summary: 'Mobile apps (Expo OTA)' } }, async () => ({
    apps: [...apps.values()].map(({ name, environment, branch }) => ({ name, environment, branch, kind: 'expo' })),
  }));
  app.get('/mobile/:name/updates', { schema: { tags: ['mobile'], summary: 'Recent update groups on the branch', params: Params } }, async (request) => {
    const mobile = find(apps, request.params.name);
    return { name: mobile.name, branch: mobile.branch, updates: await mobile.eas.listUpdates(mobile.branch) };
  });
};

/** Registered inside the acting scope, so it is operator-only, rate-limited and audited. */
export const mobileActRoutes: FastifyPluginAsync<{ apps: ReadonlyMap<string, MobileApp> }> = async (fastify, { apps }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  /** Rollbacks running, by project directory: who started each, and when. */
  const running = new Map<string, { by: string; at: string }>();
  app.post(
    '/mobile/:name/rollback',
    { config: { action: 'mobile-rollback' }, schema: { tags: ['mobile'], summary: 'Republish an earlier update group (OTA rollback)', params: Params, body: RollbackBody } },
    async (request, reply) => {
      const mobile = find(apps, request.params.name);
      const by = request.principal?.name ?? 'anonymous';
      const body = request.body ?? {};
      const project = mobile.eas.projectDir;
      const first = running.get(project);
      if (first) throw new WD_ERR_OTA_ROLLBACK_IN_PROGRESS(mobile.name, first.by, first.at);
      running.set(project, { by, at: new Date().toISOString() });
      const outcome = await mobile.eas
        .rollBack(mobile.branch, { ...(body.toGroup && { toGroup: body.toGroup }), message: body.message ?? `Rollback by ${by} via rollback-watchdog` })
        .finally(() => running.delete(project));
      if (outcome.outcome === 'refused') throw Object.assign(new WD_ERR_OTA_REFUSED(outcome.reason), { kind: outcome.kind });
      request.log.warn({ mobile: mobile.name, from: outcome.from.group, to: outcome.to.group, by }, 'OTA rollback republished');
      return reply.code(202).send({ name: mobile.name, branch: mobile.branch, from: outcome.from, to: outcome.to, groups: outcome.result.groups });
    },
  );
};

function find(apps: ReadonlyMap<string, MobileApp>, name: string): MobileApp {
  const mobile = apps.get(name);
  if (!mobile) throw new WD_ERR_TARGET_UNKNOWN(name);
  return mobile;
}
