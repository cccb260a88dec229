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
  EndReleaseBody,
  FaultBody,
  InvocationBody,
  LogsQuery,
  parseOrThrow,
  PushImageBody,
  ReachabilityBody,
  RestartBody,
  ScaleBody,
  SecretEffectBody,
  SecretsBody,
  StopIdleBody,
  WaitQuery,
} from './control-schema.ts';
import type { PushOptions } from './image-registry.ts';
import { SIM_ERR_IMAGE_NOT_FOUND } from './sim-errors.ts';
import type {
  AppStatusView,
  AppSummary,
  DeployAccepted,
  Fault,
  FaultMode,
  DeployOutcome,
  Invocation,
  LogEntry,
  MachineView,
  Reachability,
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
  restart(app: string, body: { user?: string; via?: 'fly' | 'api'; outcome?: DeployOutcome }): SimRelease;
  endRelease(app: string, id: string, status: 'failed' | 'interrupted', error?: string): SimRelease;
  setSecrets(app: string, set: Record<string, string>, unset: readonly string[]): void;
  addSecretEffect(app: string, name: string, profile: string, value?: string): void;
  setReachability(app: string, reachability: Reachability): Promise<void>;
  scale(app: string, group: string, count: number): void;
  stopIdle(app: string, count: number): string[];
  release(app: string, id: string): SimRelease;
  waitForRelease(app: string, id: string, waitMs: number): Promise<SimRelease>;
  status(app: string): AppStatusView;
  machines(app: string): MachineView[];
  logs(app: string, afterSeq: number): LogEntry[];
  metricsText(app: string): string;
  pushImage(app: string, profile: string, opts?: PushOptions): SimImage;
  images(): SimImage[];
  /** The build a reference (tag or `name@sha256:…`) names now. */
  resolveImage(ref: string): SimImage | undefined;
  /** Logs the invocation and returns the fault to apply, if one is pending for `command`. */
  recordInvocation(invocation: { argv: string[]; command?: string | undefined; cwd?: string | undefined; env?: Record<string, string> | undefined }): FaultMode | undefined;
  invocations(): Invocation[];
  clearInvocations(): void;
  addFault(fault: Omit<Fault, 'times'> & { times?: number }): void;
  pendingFaults(): Fault[];
  clearFaults(): void;
}

type AppParams = { Params: { app: string } };
type ReleaseParams = { Params: { app: string; id: string } };

/**
 * The Machines API's authorization check, as fly-go builds headers (tokens/tokens.go): one
 * scheme, `Bearer` or `FlyV1`, then the token; `FlyV1` carries macaroons (`fm1r_`, `fm1a_`,
 * `fm2_`). A scheme written twice (`FlyV1 FlyV1 fm2_…`, a pasted `fly tokens create` value sent
 * with another scheme added) is refused.
 */
function authorized(header: string | undefined): boolean {
  const match = /^(Bearer|FlyV1) (\S+)$/.exec(header ?? '');
  if (!match) return false;
  const parts = (match[2] ?? '').split(',');
  return match[1] === 'Bearer' || parts.every((p) => /^(fm1r|fm1a|fm2)_/.test(p));
}

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
  // flyctl resolves the image before it creates the release (imgsrc/remote_image_resolver.go).
  server.get<AppParams & { Querystring: { ref?: string } }>('/apps/:app/images/resolve', async (req) => {
    backend.appSummary(req.params.app);
    const image = backend.resolveImage(req.query.ref ?? '');
    if (!image) throw new SIM_ERR_IMAGE_NOT_FOUND(req.query.ref ?? '');
    return { id: image.id, ref: image.ref, digest: image.digest };
  });
  // flyctl ends its own release: failed on an error, interrupted when cancelled.
  server.post<ReleaseParams>('/apps/:app/deploys/:id/end', async (req) => {
    const { status, error } = parseOrThrow(EndReleaseBody, req.body, 'end');
    return backend.endRelease(req.params.app, req.params.id, status, error);
  });
  // A restart-only deployment: what `fly secrets set/unset/deploy` runs (a config-only release).
  server.post<AppParams>('/apps/:app/restarts', async (req, reply) => reply.code(201).send(backend.restart(req.params.app, parseOrThrow(RestartBody, req.body, 'restart'))));
  server.post<AppParams>('/apps/:app/secrets', async (req, reply) => {
    const { set, unset } = parseOrThrow(SecretsBody, req.body, 'secrets');
    backend.setSecrets(req.params.app, set ?? {}, unset ?? []);
    return reply.code(204).send();
  });
  server.post<AppParams>('/apps/:app/secret-effects', async (req, reply) => {
    const { name, value, profile } = parseOrThrow(SecretEffectBody, req.body, 'secret effect');
    backend.addSecretEffect(req.params.app, name, profile, value);
    return reply.code(204).send();
  });
  server.post<AppParams>('/apps/:app/reachability', async (req, reply) => {
    await backend.setReachability(req.params.app, parseOrThrow(ReachabilityBody, req.body, 'reachability').reachability);
    return reply.code(204).send();
  });
  server.post<AppParams>('/apps/:app/scale', async (req, reply) => {
    const { group, count } = parseOrThrow(ScaleBody, req.body, 'scale');
    backend.scale(req.params.app, group, count);
    return reply.code(204).send();
  });
  server.post<AppParams>('/apps/:app/stop-idle', async (req) => ({ stopped: backend.stopIdle(req.params.app, parseOrThrow(StopIdleBody, req.body, 'stop-idle').count) }));
  // Long poll: with ?waitMs=N, answers once the release leaves `running` or N ms have passed.
  server.get<ReleaseParams>('/apps/:app/deploys/:id', async (req) => {
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
    if (!authorized(req.headers.authorization)) {
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
    const { app, profile, ...opts } = parseOrThrow(PushImageBody, req.body, 'image');
    return reply.code(201).send(backend.pushImage(app, profile, opts));
  });

  server.get('/invocations', async () => backend.invocations());
  server.post('/invocations', async (req, reply) => {
    const fault = backend.recordInvocation(parseOrThrow(InvocationBody, req.body, 'invocation'));
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
