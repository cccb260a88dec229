/**
 * The harness: a simulated Fly in one process. Integration tests, the demo and benchmarks call
 * startSimulator(), add apps, push and deploy images as CI would, and hand `controlUrl` (as
 * FLY_API_BASE_URL) and `flyBinary` to the watchdog, which then drives the fake `fly`.
 */
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildControlServer } from './control-server.ts';
import { rfc3339 } from './format/go-render.ts';
import { CI_USER, SimBackend } from './sim-backend.ts';
import type { DeployOutcome, FaultCommand, FaultMode, Invocation, MachineView, Reachability } from './sim-types.ts';
import type { AddAppOptions, HarnessDeployOptions, SimReleaseSummary, Simulator, SimulatorOptions } from './simulator-types.ts';

export type { AddAppOptions, HarnessDeployOptions, SimReleaseSummary, Simulator, SimulatorOptions } from './simulator-types.ts';

const FLY_BINARY = fileURLToPath(new URL('./bin/fly', import.meta.url));

export async function startSimulator(opts: SimulatorOptions = {}): Promise<Simulator> {
  const now = opts.now ?? (() => Date.now());
  const backend = new SimBackend({
    deployMs: opts.deployMs ?? 100,
    seed: opts.seed ?? 1,
    now,
    ...(opts.requestRate !== undefined ? { requestRate: opts.requestRate } : {}),
    ...(opts.baselineErrorRate !== undefined ? { baselineErrorRate: opts.baselineErrorRate } : {}),
    ...(opts.failUnhealthyReleases !== undefined ? { failUnhealthyReleases: opts.failUnhealthyReleases } : {}),
    ...(opts.resetCountersOnDeploy !== undefined ? { resetCountersOnDeploy: opts.resetCountersOnDeploy } : {}),
    ...(opts.cliUser !== undefined ? { cliUser: opts.cliUser } : {}),
    ...(opts.trafficTickMs !== undefined ? { trafficTickMs: opts.trafficTickMs } : {}),
  });
  const server = buildControlServer(backend);
  await server.listen({ host: '127.0.0.1', port: opts.controlPort ?? 0 });
  const address = server.server.address();
  const port = typeof address === 'object' && address ? address.port : (opts.controlPort ?? 0);
  return new LocalSimulator(backend, `http://127.0.0.1:${port}`, () => server.close());
}

class LocalSimulator implements Simulator {
  readonly flyBinary = FLY_BINARY;
  readonly controlUrl: string;
  readonly #backend: SimBackend;
  readonly #closeServer: () => Promise<void>;

  constructor(backend: SimBackend, controlUrl: string, closeServer: () => Promise<void>) {
    this.#backend = backend;
    this.controlUrl = controlUrl;
    this.#closeServer = closeServer;
  }

  async addApp(name: string, opts: AddAppOptions = {}) {
    const app = await this.#backend.addApp(name, opts);
    return { name: app.name, url: app.url, imageRef: app.imageRef };
  }

  appUrl(name: string): string {
    return this.#backend.runtime(name).fakeApp.url;
  }

  buildImage(app: string, profile: string, opts: { label?: string; releaseCommandFails?: boolean } = {}): string {
    return this.#backend.pushImage(app, profile, opts).ref;
  }

  imageDigest(imageRef: string): string {
    const image = this.#backend.resolveImage(imageRef);
    if (!image) throw new Error(`no image ${imageRef}`);
    return image.digest;
  }

  setImageProfile(imageRef: string, profile: string): Promise<void> {
    return this.#backend.setImageProfile(imageRef, profile);
  }

  async deploy(app: string, imageRef: string, opts: HarnessDeployOptions = {}) {
    const current = this.#backend.releases(app)[0]?.config;
    const { release } = this.#backend.startDeploy(app, {
      image: imageRef,
      user: opts.user ?? CI_USER,
      via: 'api',
      ...(opts.strategy ? { strategy: opts.strategy } : {}),
      ...(opts.config && current ? { config: { ...current, ...opts.config } } : {}),
      ...(opts.skipReleaseCommand ? { skipReleaseCommand: true } : {}),
      ...(opts.updateOnly ? { updateOnly: true } : {}),
      ...(opts.outcome ? { outcome: opts.outcome } : {}),
    });
    return this.#settle(app, release.id, opts.wait);
  }

  configRelease(app: string, opts: { wait?: boolean; user?: string; outcome?: DeployOutcome } = {}) {
    const release = this.#backend.restart(app, { user: opts.user ?? CI_USER, via: 'api', ...(opts.outcome ? { outcome: opts.outcome } : {}) });
    return this.#settle(app, release.id, opts.wait);
  }

  setSecrets(app: string, set: Record<string, string>, unset: string[] = []): void {
    this.#backend.setSecrets(app, set, unset);
  }

  onSecret(app: string, name: string, profile: string, value?: string): void {
    this.#backend.addSecretEffect(app, name, profile, value);
  }

  setReachability(app: string, reachability: Reachability): Promise<void> {
    return this.#backend.setReachability(app, reachability);
  }

  scale(app: string, group: string, count: number): void {
    this.#backend.scale(app, group, count);
  }

  stopIdle(app: string, count: number): string[] {
    return this.#backend.stopIdle(app, count);
  }

  machines(app: string): MachineView[] {
    return this.#backend.machines(app);
  }

  releases(app: string): SimReleaseSummary[] {
    return this.#backend.releases(app).map((r) => ({
      version: r.version,
      imageRef: r.imageRef,
      imageDigest: r.imageDigest,
      status: r.status,
      createdAt: rfc3339(r.createdAt),
      user: r.user.email,
      ...(r.error !== undefined ? { error: r.error } : {}),
    }));
  }

  /** A stuck release never leaves `running`: waiting for it resolves once its machines switched. */
  async #settle(app: string, id: string, wait: boolean | undefined): Promise<{ version: number; status: string }> {
    const release = this.#backend.release(app, id);
    if (wait === false) return { version: release.version, status: release.status };
    const done = await this.#backend.waitForRelease(app, id, Number.POSITIVE_INFINITY);
    return { version: done.version, status: done.status };
  }

  currentImage(app: string): string {
    return this.#backend.world.app(app).image.ref;
  }

  invocations(): Invocation[] {
    return this.#backend.invocations();
  }

  deployOverlaps(app?: string): number {
    return this.#backend.world.deployOverlaps(app);
  }

  injectFault(f: { command: FaultCommand; mode: FaultMode; times?: number }): void {
    this.#backend.addFault(f);
  }

  flyEnv(token = 'sim-token'): Record<string, string> {
    return {
      FLY_API_BASE_URL: this.controlUrl,
      FLY_API_TOKEN: token,
      FLY_NO_UPDATE_CHECK: '1',
      // bin/fly starts with `#!/usr/bin/env node`; the Node running us is known to strip types.
      PATH: `${dirname(process.execPath)}:${process.env.PATH ?? ''}`,
    };
  }

  metricsText(app: string): string {
    return this.#backend.metricsText(app);
  }

  setRequestRate(app: string, ratePerSec: number): void {
    this.#backend.runtime(app).traffic.setRate(ratePerSec);
  }

  clearInvocations(): void {
    this.#backend.clearInvocations();
  }

  async close(): Promise<void> {
    await this.#backend.close();
    await this.#closeServer();
  }
}
