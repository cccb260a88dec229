/**
 * Builds the admin HTTP server without starting it: tests use `inject`, and only main.ts listens.
 */
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { hasZodFastifySchemaValidationErrors, serializerCompiler, validatorCompiler } from 'fastify-type-provider-zod';
import type { Registry } from 'prom-client';
import { adminRoutes } from './admin/routes.ts';
import type { TokenAuth } from './admin/auth.ts';
import type { Watchdog } from './guard/watchdog.ts';
import type { Logger } from './log.ts';

export interface AppDeps {
  watchdog: Watchdog;
  auth: TokenAuth;
  logger: Logger;
  registry: Registry;
}

export function buildApp(deps: AppDeps): FastifyInstance {
  const app = Fastify({ loggerInstance: deps.logger.child({ component: 'admin' }) as FastifyBaseLogger, bodyLimit: 64 * 1024 });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (hasZodFastifySchemaValidationErrors(error)) {
      const problems = error.validation.map((v) => `${v.instancePath.replace(/^\//, '').replaceAll('/', '.') || '(body)'}: ${v.message}`);
      return reply.code(400).send({ statusCode: 400, code: 'WD_ERR_BAD_REQUEST', error: 'Bad Request', message: problems.join('; ') });
    }
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 600 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ err: error }, 'admin request failed');
    return reply.code(status).send({
      statusCode: status,
      code: error.code ?? 'WD_ERR_INTERNAL',
      error: status >= 500 ? 'Internal Server Error' : error.name,
      message: status >= 500 ? 'internal error' : error.message,
    });
  });

  // Liveness, readiness and metrics stay unauthenticated: Fly's checks and Prometheus call them.
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) =>
    deps.watchdog.ready ? { status: 'ready' } : reply.code(503).send({ status: 'starting' }),
  );
  app.get('/metrics', async (_request, reply) =>
    reply.type(deps.registry.contentType).send(await deps.registry.metrics()),
  );

  app.register(adminRoutes, { prefix: '/api/v1', watchdog: deps.watchdog, auth: deps.auth });
  return app;
}
