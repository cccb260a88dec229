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
import type { FaultCommand, FaultMode } from './sim-types.ts';

export interface SimulatorOptions {
  /** How long a release stays `running` before it completes (default 100 ms). */
  deployMs?: number;
  /** Simulated requests per second per app (default 20). */
  requestRate?: number;
  /** Error probability of simulated traffic on a healthy app (default 0.005). */
  baselineErrorRate?: number;
  seed?: number;
  controlPort?: number;
  now?: () => number;
  /** Releases whose image fails checks (down, unready) end `failed`, not `complete`. Default false. */
  failUnhealthyReleases?: boolean;
  /** Zero an app's counters when it restarts on a new image, as a real process would. Default false. */
  resetCountersOnDeploy?: boolean;
  /** E-mail recorded as the user of deploys made through the fake fly. */
  cliUser?: string;
  /** How often simulated traffic moves each app's counters (default 250 ms; benchmarks with many apps use more). */
  trafficTickMs?: number;
}

export interface SimReleaseSummary {
  version: number;
  imageRef: string;
  status: string;
  createdAt: string;
  user: string;
}

export interface Simulator {
  /** Pass as FLY_API_BASE_URL to the fake fly. */
  readonly controlUrl: string;
  /** Absolute path of src/sim/bin/fly. */
  readonly flyBinary: string;
  /** Creates an app already running `profile` as release v1 (status complete); starts its fake server. */
  addApp(name: string, opts?: { profile?: string; port?: number; machines?: number; requestRate?: number }): Promise<{ name: string; url: string; imageRef: string }>;
  /** http://127.0.0.1:PORT, stable across down/up. */
  appUrl(name: string): string;
  /** Mints a new deployment image for `app` with a behaviour profile (like `docker push`). */
  buildImage(app: string, profile: string): string;
  /** Changes a pushed image's behaviour wherever it runs (e.g. an old image broken by a migration). */
  setImageProfile(imageRef: string, profile: string): Promise<void>;
  /**
   * Deploys as CI would (not through the fake fly, not logged as a fly invocation); resolves when
   * the release is finished and the app serves it, unless wait=false.
   */
  deploy(app: string, imageRef: string, opts?: { wait?: boolean; user?: string }): Promise<{ version: number; status: string }>;
  /** Newest first, at most 25. */
  releases(app: string): SimReleaseSummary[];
  currentImage(app: string): string;
  /** Fake-fly calls, oldest first. */
  invocations(): Array<{ argv: string[]; at: number }>;
  /** Deploys of `app` (or, without it, of any app) started while another deploy of that app was still running. */
  deployOverlaps(app?: string): number;
  injectFault(f: { command: FaultCommand; mode: FaultMode; times?: number }): void;
  close(): Promise<void>;
  /** Env for spawning the fake fly: control URL, a token, and this Node first on PATH. */
  flyEnv(token?: string): Record<string, string>;
  /** The app's Prometheus text, readable even while the app is down. */
  metricsText(app: string): string;
  setRequestRate(app: string, ratePerSec: number): void;
  clearInvocations(): void;
}

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

  async addApp(name: string, opts: { profile?: string; port?: number; machines?: number; requestRate?: number } = {}) {
    const app = await this.#backend.addApp(name, opts);
    return { name: app.name, url: app.url, imageRef: app.imageRef };
  }

  appUrl(name: string): string {
    return this.#backend.runtime(name).fakeApp.url;
  }

  buildImage(app: string, profile: string): string {
    return this.#backend.pushImage(app, profile).ref;
  }

  setImageProfile(imageRef: string, profile: string): Promise<void> {
    return this.#backend.setImageProfile(imageRef, profile);
  }

  async deploy(app: string, imageRef: string, opts: { wait?: boolean; user?: string } = {}) {
    const { release } = this.#backend.startDeploy(app, { image: imageRef, user: opts.user ?? CI_USER, via: 'api' });
    if (opts.wait === false) return { version: release.version, status: release.status };
    const done = await this.#backend.waitForRelease(app, release.id, Number.POSITIVE_INFINITY);
    return { version: done.version, status: done.status };
  }

  releases(app: string): SimReleaseSummary[] {
    return this.#backend.releases(app).map((r) => ({
      version: r.version,
      imageRef: r.imageRef,
      status: r.status,
      createdAt: rfc3339(r.createdAt),
      user: r.user.email,
    }));
  }

  currentImage(app: string): string {
    return this.#backend.world.app(app).image.ref;
  }

  invocations() {
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
