/**
 * `GET /api/v1/whoami` (viewer role): the name and role of the token presented. The status page asks
 * once after log-in, to disable the actions a viewer may not take and say why. It only explains: the
 * acting routes check the role themselves on every request.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { TokenAuth } from './auth.ts';
import { errors } from './response-schema.ts';

export interface WhoamiRouteOptions {
  auth: TokenAuth;
}

export const Whoami = z.object({
  name: z.string().describe("the token's configured name (as recorded in the audit trail)"),
  role: z.enum(['viewer', 'operator']),
});
export type Whoami = z.infer<typeof Whoami>;

export const whoamiRoute: FastifyPluginAsync<WhoamiRouteOptions> = async (fastify, { auth }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.addHook('onRequest', auth.require('viewer'));
  app.get(
    '/whoami',
    { schema: { tags: ['read'], summary: "The presented token's name and role", response: { 200: Whoami, ...errors(401, 403) } } },
    // The onRequest hook above admitted the request, so it set the principal.
    async (request): Promise<Whoami> => ({ name: request.principal?.name ?? 'anonymous', role: request.principal?.role ?? 'viewer' }),
  );
};
