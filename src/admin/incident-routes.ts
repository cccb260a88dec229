/**
 * Incidents (viewer role): the list, one incident with its timeline and evidence, and its
 * post-mortem draft as Markdown.
 */
import type { FastifyPluginAsync } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { z } from 'zod';
import type { Clock } from '../infra/clock.ts';
import { WD_ERR_INCIDENT_UNKNOWN, WD_ERR_STORE_UNAVAILABLE } from '../infra/errors.ts';
import { renderPostmortem } from '../incidents/postmortem.ts';
import { impactMs, type Incident } from '../domain/incident.ts';
import type { Store } from '../store/types.ts';
import type { TokenAuth } from './auth.ts';

export interface IncidentRoutesOptions {
  auth: TokenAuth;
  store: Store | undefined;
  clock: Clock;
}

const IncidentsQuery = z.strictObject({
  target: z.string().regex(/^[a-z0-9][a-z0-9_-]{0,62}$/, 'not a target name').optional(),
  limit: z.coerce.number().int().min(1).max(500).default(50),
});
const IncidentParams = z.strictObject({ id: z.string().min(1).max(200).regex(/^[A-Za-z0-9_-]+$/, 'not an incident id') });

/** What the API shows of an incident: the stored record plus its impact so far. */
const view = (incident: Incident, now: number) => ({ ...incident, impactMs: impactMs(incident, now) });

export const incidentRoutes: FastifyPluginAsync<IncidentRoutesOptions> = async (fastify, { auth, store, clock }) => {
  const app = fastify.withTypeProvider<ZodTypeProvider>();
  app.addHook('onRequest', auth.require('viewer'));
  const tags = ['incidents'];
  const needStore = (): Store => {
    if (!store) throw new WD_ERR_STORE_UNAVAILABLE('incidents');
    return store;
  };
  const find = async (id: string): Promise<Incident> => {
    const incident = await needStore().getIncident(id);
    if (!incident) throw new WD_ERR_INCIDENT_UNKNOWN(id);
    return incident;
  };

  app.get('/incidents', { schema: { tags, summary: 'Incidents, newest first', querystring: IncidentsQuery } }, async (request) => {
    const incidents = await needStore().listIncidents({ ...(request.query.target && { target: request.query.target }), limit: request.query.limit });
    const now = clock.now();
    return { incidents: incidents.map((i) => view(i, now)) };
  });

  app.get('/incidents/:id', { schema: { tags, summary: 'One incident with its timeline and evidence', params: IncidentParams } }, async (request) => {
    const incident = await find(request.params.id);
    return { ...view(incident, clock.now()), timeline: await needStore().incidentTimeline(incident.id) };
  });

  app.get('/incidents/:id/postmortem', { schema: { tags, summary: 'Post-mortem draft (Markdown)', params: IncidentParams } }, async (request, reply) => {
    const incident = await find(request.params.id);
    const markdown = renderPostmortem(incident, await needStore().incidentTimeline(incident.id), clock.now());
    return reply.type('text/markdown; charset=utf-8').send(markdown);
  });
};
