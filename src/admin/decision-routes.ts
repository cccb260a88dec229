/**
 * Operator decisions on one target (operator role, inside the acting scope): roll back, approve or
 * veto a held rollback, abort a guard, and judge a release by hand. Each goes through the
 * watchdog's command facade, which applies it on the replica that guards the target; a command
 * that does not fit the target's state comes back refused with the guard's code.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import type { CommandOutcome, TargetCommand } from '../guard/commands.ts';
import type { Watchdog } from '../guard/watchdog.ts';
import { actorName } from './auth.ts';
import { refusalError } from './refusals.ts';
import { errors, Marked, RollbackStarted, TargetSummary } from './response-schema.ts';
import { ReasonBody, ReleaseParams, RollbackBody, TargetParams } from './schema.ts';

export interface DecisionRoutesOptions {
  watchdog: Watchdog;
}

export const decisionRoutes: FastifyPluginAsync<DecisionRoutesOptions> = async (fastify, { watchdog }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['act'];

  /** Applies the command; a refusal becomes its coded error. */
  async function act(name: string, command: Exclude<TargetCommand, { kind: 'poll' }>): Promise<Extract<CommandOutcome, { applied: true }>> {
    const outcome = await watchdog.act(name, command);
    if (!outcome.applied) throw refusalError(name, outcome.refusal);
    return outcome;
  }

  app.post(
    '/targets/:name/rollback',
    {
      config: { action: 'rollback' },
      schema: {
        tags,
        summary: 'Roll back to a release (version), an image, or by default the last known good release',
        params: TargetParams,
        body: RollbackBody,
        response: { 202: RollbackStarted, ...errors(400, 401, 403, 404, 409, 429) },
      },
    },
    async (request, reply) => {
      const name = watchdog.target(request.params.name).name;
      const { version, image, force } = request.body ?? {};
      const outcome = await act(name, { kind: 'rollback', request: { version, image, force }, by: actorName(request.principal) });
      const started = outcome.decisions.find((d) => d.kind === 'rollback-started');
      const to = started?.to ?? outcome.state.rollback?.to;
      if (!to) throw new Error('a manual rollback applied without starting a rollback');
      const forced = started?.forced ?? false;
      request.outcome = `rolling back to v${to.version}${forced ? ' (forced)' : ''}`;
      return reply.code(202).send({ target: watchdog.summarize(name, outcome.state), to, forced });
    },
  );

  app.post(
    '/targets/:name/approve',
    {
      config: { action: 'approve' },
      schema: { tags, summary: 'Approve the held rollback: it proceeds past every rail', params: TargetParams, body: ReasonBody, response: { 202: TargetSummary, ...errors(400, 401, 403, 404, 409, 429) } },
    },
    async (request, reply) => {
      const name = watchdog.target(request.params.name).name;
      const outcome = await act(name, { kind: 'approve', by: actorName(request.principal) });
      request.outcome = `approved the rollback to v${outcome.state.rollback?.to.version}`;
      return reply.code(202).send(watchdog.summarize(name, outcome.state));
    },
  );

  app.post(
    '/targets/:name/veto',
    {
      config: { action: 'veto' },
      schema: { tags, summary: 'Veto the held rollback: nothing is deployed until a new release', params: TargetParams, body: ReasonBody, response: { 200: TargetSummary, ...errors(400, 401, 403, 404, 409, 429) } },
    },
    async (request) => {
      const name = watchdog.target(request.params.name).name;
      const outcome = await act(name, { kind: 'veto', by: actorName(request.principal) });
      request.outcome = 'vetoed the rollback';
      return watchdog.summarize(name, outcome.state);
    },
  );

  app.post(
    '/targets/:name/abort',
    {
      config: { action: 'abort' },
      schema: { tags, summary: 'End the running guard early, without a verdict', params: TargetParams, body: ReasonBody, response: { 200: TargetSummary, ...errors(400, 401, 403, 404, 409, 429) } },
    },
    async (request) => {
      const name = watchdog.target(request.params.name).name;
      const outcome = await act(name, { kind: 'abort', by: actorName(request.principal) });
      const aborted = outcome.decisions.find((d) => d.kind === 'guard-aborted');
      request.outcome = `aborted the guard of v${aborted?.version}`;
      return watchdog.summarize(name, outcome.state);
    },
  );

  for (const verdict of ['good', 'bad'] as const) {
    app.post(
      `/targets/:name/releases/:version/mark-${verdict}`,
      {
        config: { action: `mark-${verdict}` },
        schema: {
          tags,
          summary: `Judge a release ${verdict} by hand (steers later rollbacks; starts or stops none)`,
          params: ReleaseParams,
          body: ReasonBody,
          response: { 200: Marked, ...errors(400, 401, 403, 404, 429) },
        },
      },
      async (request) => {
        const name = watchdog.target(request.params.name).name;
        const { version } = request.params;
        await act(name, { kind: 'mark', version, verdict, by: actorName(request.principal) });
        request.outcome = `marked v${version} ${verdict}`;
        return { target: name, version, verdict };
      },
    );
  }
};
