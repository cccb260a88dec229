/**
 * Operator controls (operator role, inside the acting scope): pause and resume one target or all
 * of them, and switch the rollback mode. Controls are persisted by the watchdog before they apply
 * and survive restarts. They steer the next decision; a target already held stays held until an
 * operator approves or vetoes it.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { GLOBAL, type Watchdog } from '../guard/watchdog.ts';
import { actorName } from './auth.ts';
import type { Controls } from '../domain/policy.ts';
import { ControlResult, errors } from './response-schema.ts';
import { ModeBody, ReasonBody, TargetParams } from './schema.ts';
import { controlsView } from './views.ts';

export interface ControlRoutesOptions {
  watchdog: Watchdog;
}

export const controlRoutes: FastifyPluginAsync<ControlRoutesOptions> = async (fastify, { watchdog }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['act'];
  const response = { 200: ControlResult, ...errors(400, 401, 403, 404, 429) };

  /**
   * Applies `patch` to `scope` and answers with the stored controls and, for a target, the effect.
   * `reason` is always part of the patch (undefined clears it): it explains the latest change, so an
   * old pause reason must not linger on a resume.
   */
  async function apply(scope: string, patch: Controls) {
    const controls = await watchdog.setControls(scope, patch);
    if (scope === GLOBAL) return { scope, controls: controlsView(controls) };
    const { mode, paused } = watchdog.policyFor(watchdog.target(scope));
    return { scope, controls: controlsView(controls), effective: { mode, paused } };
  }


  for (const paused of [true, false]) {
    const verb = paused ? 'pause' : 'resume';
    const what = paused ? 'Stop automatic rollbacks' : 'Allow automatic rollbacks again';
    app.post(
      `/targets/:name/${verb}`,
      { config: { action: verb }, schema: { tags, summary: `${what} for one target`, params: TargetParams, body: ReasonBody, response } },
      async (request) => {
        request.outcome = `${verb}d ${request.params.name}`;
        return apply(request.params.name, { paused, by: actorName(request.principal), reason: request.body?.reason });
      },
    );
    app.post(
      `/${verb}`,
      { config: { action: `${verb}-all` }, schema: { tags, summary: `${what} for every target`, body: ReasonBody, response } },
      async (request) => {
        request.outcome = `${verb}d all targets`;
        return apply(GLOBAL, { paused, by: actorName(request.principal), reason: request.body?.reason });
      },
    );
  }

  app.post(
    '/mode',
    { config: { action: 'mode' }, schema: { tags, summary: 'Set the rollback mode of one target (or, without target, all)', body: ModeBody, response } },
    async (request) => {
      const { mode, target, reason } = request.body;
      request.outcome = `mode ${mode} for ${target ?? 'all targets'}`;
      return apply(target ?? GLOBAL, { mode, by: actorName(request.principal), reason });
    },
  );
};
