/**
 * What a CI pipeline calls: announce a deploy (operator role, inside the acting scope, so it is
 * audited and rate-limited) and ask the promotion gate (viewer role, a read).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { Watchdog } from '../guard/watchdog.ts';
import type { TokenAuth } from './auth.ts';
import { judgeGate, type GateVerdict } from './gate.ts';
import { DeployAccepted, errors, Gate } from './response-schema.ts';
import { DeployNotice, GateQuery } from './schema.ts';

export interface CiRoutesOptions {
  watchdog: Watchdog;
}

/** Releases per target the gate looks through for the image (newest first). */
const GATE_LOOKUP = 500;

/**
 * `?strict=1` puts the verdict in the status too. `curl --fail` then stops a pipeline on failed
 * (409); pending (202) is a success to curl, so a pipeline that must also wait tests for 200
 * (`curl -w '%{http_code}'`) or uses `rollback-watchdog gate`, which exits 0 only on passed.
 */
const STRICT_STATUS: Record<GateVerdict, 200 | 202 | 409> = { passed: 200, pending: 202, failed: 409 };

export const deployRoutes: FastifyPluginAsync<CiRoutesOptions> = async (fastify, { watchdog }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();

  // CI announces a deploy so the guard starts now rather than at the next poll. The release list
  // stays the source of truth: the body only says where to look.
  app.post(
    '/deploys',
    {
      config: { action: 'deploy-announced' },
      schema: { tags: ['ci'], summary: 'Announce a deploy: the target is polled at once', body: DeployNotice, response: { 202: DeployAccepted, ...errors(400, 401, 403, 404, 429) } },
    },
    async (request, reply) => {
      const name = watchdog.target(request.body.target).name;
      request.log.info({ notice: request.body, by: request.principal?.name }, 'deploy announced');
      await watchdog.pollTarget(name);
      // Guarded by another replica: the poll is queued there and this is the state it last stored.
      const state = await watchdog.stateOf(name);
      request.outcome = `polled; ${state.phase}`;
      return reply.code(202).send({ target: name, phase: state.phase, lastSeenVersion: state.lastSeenVersion });
    },
  );
};

export const gateRoutes: FastifyPluginAsync<CiRoutesOptions & { auth: TokenAuth }> = async (fastify, { watchdog, auth }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/gate',
    {
      onRequest: auth.require('viewer'),
      schema: {
        tags: ['ci'],
        summary: 'May this image be promoted to target? passed | pending | failed (failed if judged bad on any target)',
        description: 'Always 200 with the verdict; with strict=1 the status carries it too: 200 passed, 202 pending, 409 failed.',
        querystring: GateQuery,
        response: { 200: Gate, 202: Gate, 409: Gate, ...errors(400, 401, 403, 404) },
      },
    },
    async (request, reply) => {
      const { target, image, strict } = request.query;
      const name = watchdog.target(target).name;
      const everywhere = await Promise.all(
        watchdog.targetNames().map(async (t) => (await watchdog.releases(t, GATE_LOOKUP)).map((release) => ({ target: t, release }))),
      );
      const result = judgeGate(name, image, everywhere.flat());
      return reply.code(strict ? STRICT_STATUS[result.verdict] : 200).send({ target: name, image, ...result });
    },
  );
};
