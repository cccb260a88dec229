/**
 * What operators and dashboards read (viewer role): status, targets, releases, the decision journal,
 * and (operator role: it shows who did what, with their parameters) the audit trail.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { WD_ERR_STORE_UNAVAILABLE } from '../infra/errors.ts';
import { GLOBAL, type Watchdog } from '../guard/watchdog.ts';
import { summarize } from '../guard/target-summary.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import type { Store } from '../store/types.ts';
import { cleanEntry } from './audit-params.ts';
import type { TokenAuth } from './auth.ts';
import { AuditView, errors, JournalView, Releases, Series, Status, TargetDetail, Targets } from './response-schema.ts';
import { AuditQuery, JournalQuery, ReleasesQuery, SeriesQuery, TargetParams } from './schema.ts';
import { auditView, controlsView, journalView, releaseView, targetDetail } from './views.ts';

export interface ReadRoutesOptions {
  watchdog: Watchdog;
  auth: TokenAuth;
  store: Store | undefined;
  /** Masked again in served audit entries: rows stored before masking existed may hold them. */
  secrets?: SecretRegistry;
}

/** Enough history for "last known good" on any realistic target; the list is newest first. */
const DETAIL_RELEASES = 200;

export const readRoutes: FastifyPluginAsync<ReadRoutesOptions> = async (fastify, { watchdog, auth, store, secrets }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.addHook('onRequest', auth.require('viewer'));
  const tags = ['read'];
  const needStore = (what: string): Store => {
    if (!store) throw new WD_ERR_STORE_UNAVAILABLE(what);
    return store;
  };

  app.get('/status', { schema: { tags, summary: 'Global controls and every target', response: { 200: Status, ...errors(401, 403) } } }, async () => {
    const global = watchdog.controls()[GLOBAL];
    return { ready: watchdog.ready, global: { ...controlsView(global), paused: global?.paused ?? false }, targets: await watchdog.summaries() };
  });

  app.get('/targets', { schema: { tags, summary: 'Every target', response: { 200: Targets, ...errors(401, 403) } } }, async () => ({
    targets: await watchdog.summaries(),
  }));

  app.get(
    '/targets/:name',
    { schema: { tags, summary: 'One target in detail', params: TargetParams, response: { 200: TargetDetail, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      const target = watchdog.target(request.params.name);
      const state = await watchdog.stateOf(target.name);
      const releases = await watchdog.releases(target.name, DETAIL_RELEASES);
      const summary = summarize(target, state, watchdog.policyFor(target));
      return targetDetail(summary, state, watchdog.controls()[target.name], releases);
    },
  );

  app.get(
    '/targets/:name/releases',
    { schema: { tags, summary: 'Releases with verdicts, newest first', params: TargetParams, querystring: ReleasesQuery, response: { 200: Releases, ...errors(400, 401, 403, 404) } } },
    async (request) => {
      const name = watchdog.target(request.params.name).name;
      const releases = await watchdog.releases(name, request.query.limit);
      return { target: name, releases: releases.map(releaseView) };
    },
  );

  app.get(
    '/targets/:name/journal',
    { schema: { tags, summary: 'The decision journal, newest first', params: TargetParams, querystring: JournalQuery, response: { 200: JournalView, ...errors(400, 401, 403, 404, 503) } } },
    async (request) => {
      const name = watchdog.target(request.params.name).name;
      const entries = await needStore('the journal').listJournal(name, request.query.limit);
      return { target: name, entries: entries.map(journalView) };
    },
  );

  app.get(
    '/targets/:name/series',
    {
      schema: {
        tags,
        summary: 'Recent probe results and error-rate points (the status page chart), oldest first',
        params: TargetParams,
        querystring: SeriesQuery,
        response: { 200: Series, ...errors(400, 401, 403, 404) },
      },
    },
    async (request) => {
      const name = watchdog.target(request.params.name).name;
      const { rates, probes } = watchdog.series.get(name, request.query.since);
      const iso = (at: number) => new Date(at).toISOString();
      return { target: name, rates: rates.map((p) => ({ ...p, at: iso(p.at) })), probes: probes.map((p) => ({ ...p, at: iso(p.at) })) };
    },
  );

  app.get(
    '/audit',
    {
      onRequest: auth.require('operator'),
      schema: { tags, summary: 'Operator actions, newest first (operator role)', querystring: AuditQuery, response: { 200: AuditView, ...errors(400, 401, 403, 503) } },
    },
    async (request) => ({ entries: (await needStore('the audit trail').listAudit(request.query.limit)).map((e) => auditView(cleanEntry(e, secrets))) }),
  );
};
