/**
 * The OpenAPI document, generated from the same zod schemas that validate requests, at
 * `/docs/json` (and `/docs/yaml`), with Swagger UI at `/docs`. No auth: the docs hold no data.
 * Must be registered before the routes: @fastify/swagger collects them as they are added.
 */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { jsonSchemaTransform } from 'fastify-type-provider-zod';

/** Registers on `app` itself (not a child scope): swagger's onRoute hook must see every route. */
export function registerDocs(app: FastifyInstance, version: string): void {
  app.register(swagger, {
    openapi: {
      info: {
        title: 'rollback-watchdog admin API',
        description:
          'Operate the watchdog: read target state, roll back, pause, approve or veto held rollbacks, and gate CI promotions. ' +
          'Errors are `{statusCode, code, error, message}` with a stable WD_ERR_* code.',
        version,
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'viewer or operator token from the config' } } },
      security: [{ bearer: [] }],
      tags: [
        { name: 'read', description: 'viewer role' },
        { name: 'act', description: 'operator role; rate-limited and audited' },
        { name: 'ci', description: 'deploy notices (operator) and the promotion gate (viewer)' },
      ],
    },
    transform: jsonSchemaTransform,
  });
  app.register(swaggerUi, { routePrefix: '/docs' });
}
