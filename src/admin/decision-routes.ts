/**
 * Operator decisions on one target (operator role, inside the acting scope): roll back, approve or
 * veto a held rollback, abort a guard, and judge a release by hand.
 *
 * The runner applies a decision only in the phase it fits and otherwise leaves the state as it
 * was. So each route checks the phase first (a precise 409), then compares the state after the
 * step: the guard's queue may have moved on in between (a new release, a finished window).
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import {
  WD_ERR_NO_ROLLBACK_TARGET,
  WD_ERR_NOT_APPLIED,
  WD_ERR_NOT_GUARDING,
  WD_ERR_NOT_HELD,
  WD_ERR_RELEASE_UNKNOWN,
  WD_ERR_ROLLBACK_IN_PROGRESS,
} from '../infra/errors.ts';
import { BUSY_PHASES } from '../guard/step-common.ts';
import { summarize, type Watchdog } from '../guard/watchdog.ts';
import type { RollbackProgress, TargetState } from '../domain/target-state.ts';
import { actorName } from './auth.ts';
import { resolveRollback } from './resolve-rollback.ts';
import { errors, Marked, RollbackStarted, TargetSummary } from './response-schema.ts';
import { ReasonBody, ReleaseParams, RollbackBody, TargetParams } from './schema.ts';

export interface DecisionRoutesOptions {
  watchdog: Watchdog;
}

// The guard's own definition of "a rollback is out": no second one may start in these phases.
const BUSY = BUSY_PHASES;
/** How far back a named version or image is looked up (newest first). */
const RELEASE_LOOKUP = 1000;

/** The same rollback (not a new one): same start time and route. */
function sameRollback(a: RollbackProgress | undefined, b: RollbackProgress | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return a.decidedAt === b.decidedAt && a.from.version === b.from.version && a.to.version === b.to.version && a.requestedBy === b.requestedBy;
}

export const decisionRoutes: FastifyPluginAsync<DecisionRoutesOptions> = async (fastify, { watchdog }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  const tags = ['act'];
  const summary = (name: string, state: TargetState) => summarize(watchdog.target(name), state, watchdog.policyFor(watchdog.target(name)));

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
      const before = await watchdog.stateOf(name);
      if (BUSY.has(before.phase)) throw new WD_ERR_ROLLBACK_IN_PROGRESS(name);
      const releases = await watchdog.releases(name, RELEASE_LOOKUP);
      const choice = resolveRollback(name, request.body ?? {}, releases, before.current ?? before.guard?.release);
      const after = await watchdog.act(name, { kind: 'rollback', to: choice.to, by: actorName(request.principal) });
      // Compared by value: a state forwarded from another replica is a copy.
      const started = after.rollback !== undefined && !sameRollback(after.rollback, before.rollback) && after.rollback.trigger === 'manual' && after.rollback.to.version === choice.to.version;
      if (!started) throw BUSY.has(after.phase) ? new WD_ERR_ROLLBACK_IN_PROGRESS(name) : new WD_ERR_NOT_APPLIED('rollback', name, after.phase);
      request.outcome = `rolling back to v${choice.to.version}${choice.forced ? ' (forced)' : ''}`;
      return reply.code(202).send({ target: summary(name, after), to: choice.to, forced: choice.forced });
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
      const before = await watchdog.stateOf(name);
      if (before.phase !== 'held') throw new WD_ERR_NOT_HELD(name, before.phase);
      if (!before.plan?.to) {
        const hold = before.hold ? ` (${before.hold.kind}: ${before.hold.reason})` : '';
        throw new WD_ERR_NO_ROLLBACK_TARGET(
          `${name} is held${hold} with no release to roll back to, so there is nothing to approve: roll back to a release you choose (POST /api/v1/targets/${name}/rollback with a version), or veto`,
        );
      }
      const by = actorName(request.principal);
      const after = await watchdog.act(name, { kind: 'approve', by });
      if (sameRollback(after.rollback, before.rollback) || after.rollback?.requestedBy !== by) throw new WD_ERR_NOT_APPLIED('approval', name, after.phase);
      request.outcome = `approved the rollback to v${before.plan.to.version}`;
      return reply.code(202).send(summary(name, after));
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
      const before = await watchdog.stateOf(name);
      if (before.phase !== 'held') throw new WD_ERR_NOT_HELD(name, before.phase);
      const after = await watchdog.act(name, { kind: 'veto', by: actorName(request.principal) });
      // Veto and abort both end in idle; any other phase means something else happened first.
      if (after.phase !== 'idle') throw new WD_ERR_NOT_APPLIED('veto', name, after.phase);
      request.outcome = 'vetoed the rollback';
      return summary(name, after);
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
      const before = await watchdog.stateOf(name);
      if (before.phase !== 'guarding' || !before.guard) throw new WD_ERR_NOT_GUARDING(name, before.phase);
      const after = await watchdog.act(name, { kind: 'abort', by: actorName(request.principal) });
      if (after.phase !== 'idle') throw new WD_ERR_NOT_APPLIED('abort', name, after.phase);
      request.outcome = `aborted the guard of v${before.guard.release.version}`;
      return summary(name, after);
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
        const known = (await watchdog.releases(name, RELEASE_LOOKUP)).some((r) => r.version === version);
        if (!known) throw new WD_ERR_RELEASE_UNKNOWN(name, version);
        await watchdog.act(name, { kind: 'mark', version, verdict, by: actorName(request.principal) });
        request.outcome = `marked v${version} ${verdict}`;
        return { target: name, version, verdict };
      },
    );
  }
};
