/**
 * The simulator's control API: what the fake `fly` calls instead of api.fly.io, and what tests
 * use to inspect or steer the simulation. JSON in and out; errors are `{statusCode, code, message}`
 * with a SIM_ERR_* code. The server only translates HTTP; the backend owns the state.
 */
import Fastify, { type FastifyInstance } from 'fastify';
import { formatMachineListJson } from './format/machines.ts';
import {
  AddAppBody,
  DeployBody,
  FaultBody,
  InvocationBody,
  LogsQuery,
  parseOrThrow,
  PushImageBody,
  WaitQuery,
} from './control-schema.ts';
import type {
  AppStatusView,
  AppSummary,
  DeployAccepted,
  Fault,
  FaultMode,
  Invocation,
  LogEntry,
  MachineView,
  SimImage,
  SimRelease,
} from './sim-types.ts';

export interface ControlBackend {
  now(): number;
  listApps(): AppSummary[];
  appSummary(app: string): AppSummary;
  addApp(name: string, opts: Omit<AddAppBody, 'name'>): Promise<AppSummary>;
  releases(app: string): SimRelease[];
  startDeploy(app: string, body: DeployBody): DeployAccepted;
  release(app: string, id: string): SimRelease;
  waitForRelease(app: string, id: string, waitMs: number): Promise<SimRelease>;
  status(app: string): AppStatusView;
  machines(app: string): MachineView[];
  logs(app: string, afterSeq: number): LogEntry[];
  metricsText(app: string): string;
  pushImage(app: string, profile: string, ref?: string): SimImage;
  images(): SimImage[];
  /** Logs the invocation and returns the fault to apply, if one is pending for `command`. */
  recordInvocation(argv: string[], command: string | undefined): FaultMode | undefined;
  invocations(): Invocation[];
  clearInvocations(): void;
  addFault(fault: Omit<Fault, 'times'> & { times?: number }): void;
  pendingFaults(): Fault[];
  clearFaults(): void;
}

type AppParams = { Params: { app: string } };

export function buildControlServer(backend: ControlBackend): FastifyInstance {
  // forceCloseConnections: long-polling `fly deploy` clients must not hold close() open.
  const server = Fastify({ logger: false, forceCloseConnections: true });

  server.get('/healthz', async () => ({ ok: true, now: backend.now() }));

  server.get('/apps', async () => backend.listApps());
  server.post('/apps', async (req, reply) => {
    const { name, ...opts } = parseOrThrow(AddAppBody, req.body, 'app');
    return reply.code(201).send(await backend.addApp(name, opts));
  });
  server.get<AppParams>('/apps/:app', async (req) => backend.appSummary(req.params.app));
  server.get<AppParams>('/apps/:app/releases', async (req) => backend.releases(req.params.app));
  server.post<AppParams>('/apps/:app/deploys', async (req, reply) => {
    const body = parseOrThrow(DeployBody, req.body, 'deploy');
    return reply.code(201).send(backend.startDeploy(req.params.app, body));
  });
  // Long poll: with ?waitMs=N, answers once the release leaves `running` or N ms have passed.
  server.get<{ Params: { app: string; id: string } }>('/apps/:app/deploys/:id', async (req) => {
    const { waitMs } = parseOrThrow(WaitQuery, req.query, 'query');
    const { app, id } = req.params;
    return waitMs ? backend.waitForRelease(app, id, waitMs) : backend.release(app, id);
  });
  server.get<AppParams>('/apps/:app/status', async (req) => backend.status(req.params.app));
  server.get<AppParams>('/apps/:app/machines', async (req) => backend.machines(req.params.app));
  server.get<AppParams>('/apps/:app/logs', async (req) => {
    const { after } = parseOrThrow(LogsQuery, req.query, 'query');
    return backend.logs(req.params.app, after ?? 0);
  });
  // Reachable even while the app is `down`, for tests that want the counters regardless.
  server.get<AppParams>('/apps/:app/metrics', async (req, reply) =>
    reply.type('text/plain; version=0.0.4; charset=utf-8').send(backend.metricsText(req.params.app)),
  );

  // The Fly Machines API's list (fly-facts §5), as the watchdog's release check reads it: a token
  // is required (any, as with the fake fly) and errors are `{"error": "…"}` like the real API's.
  server.get<AppParams>('/v1/apps/:app/machines', async (req, reply) => {
    if (!/^(Bearer|FlyV1) \S/.test(req.headers.authorization ?? '')) {
      return reply.code(401).send({ error: 'You must be authenticated to view this.' });
    }
    try {
      return reply.type('application/json; charset=utf-8').send(formatMachineListJson(backend.machines(req.params.app)));
    } catch (err) {
      const status = (err as { statusCode?: number }).statusCode ?? 500;
      return reply.code(status).send({ error: status === 404 ? 'app not found' : (err as Error).message });
    }
  });

  server.get('/images', async () => backend.images());
  server.post('/images', async (req, reply) => {
    const { app, profile, ref } = parseOrThrow(PushImageBody, req.body, 'image');
    return reply.code(201).send(backend.pushImage(app, profile, ref));
  });

  server.get('/invocations', async () => backend.invocations());
  server.post('/invocations', async (req, reply) => {
    const { argv, command } = parseOrThrow(InvocationBody, req.body, 'invocation');
    const fault = backend.recordInvocation(argv, command);
    // `now` lets the CLI print relative dates against the simulator's (possibly fake) clock.
    return reply.code(201).send({ fault: fault ?? null, now: backend.now() });
  });
  server.delete('/invocations', async (_req, reply) => {
    backend.clearInvocations();
    return reply.code(204).send();
  });

  server.get('/faults', async () => backend.pendingFaults());
  server.post('/faults', async (req, reply) => {
    backend.addFault(parseOrThrow(FaultBody, req.body, 'fault'));
    return reply.code(201).send(backend.pendingFaults());
  });
  server.delete('/faults', async (_req, reply) => {
    backend.clearFaults();
    return reply.code(204).send();
  });

  return server;
}
