import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Watchdog } from '../guard/watchdog.ts';
import type { TokenAuth } from './auth.ts';
import { DeployNotice, ReleasesQuery, TargetParams } from './schema.ts';

export interface AdminRoutesOptions {
  watchdog: Watchdog;
  auth: TokenAuth;
}

/** The `/api/v1` routes. */
export const adminRoutes: FastifyPluginAsync<AdminRoutesOptions> = async (fastify, { watchdog, auth }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  app.get('/status', { preHandler: auth.require('viewer') }, async () => ({
    ready: watchdog.ready,
    targets: watchdog.summaries(),
  }));

  app.get(
    '/targets/:name/releases',
    { preHandler: auth.require('viewer'), schema: { params: TargetParams, querystring: ReleasesQuery } },
    async (request) => {
      const runner = watchdog.runner(request.params.name);
      const releases = await watchdog.releases(runner.target.name, request.query.limit);
      return { target: runner.target.name, releases };
    },
  );

  // CI announces a deploy so the guard starts now rather than at the next poll. The release list
  // stays the source of truth: the body only says where to look.
  app.post('/deploys', { preHandler: auth.require('operator'), schema: { body: DeployNotice } }, async (request, reply) => {
    const runner = watchdog.runner(request.body.target);
    request.log.info({ notice: request.body, by: request.principal?.name }, 'deploy announced');
    await watchdog.pollTarget(runner.target.name);
    return reply.code(202).send({ target: runner.target.name, phase: runner.state.phase, lastSeenVersion: runner.state.lastSeenVersion });
  });
};
