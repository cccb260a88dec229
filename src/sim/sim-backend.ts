/**
 * The state behind the control API: the world (apps, releases, registry), one AppRuntime per app
 * (fake process, traffic, metrics, logs), the fake-fly invocation log and pending faults.
 */
import { AppRuntime } from './app-runtime.ts';
import type { ControlBackend } from './control-server.ts';
import type { AddAppBody, DeployBody } from './control-schema.ts';
import { FaultQueue } from './fault-queue.ts';
import { machineViews } from './machine-view.ts';
import { parseProfile } from './profile.ts';
import { secretEffect } from './secret-effects.ts';
import { deriveSeed, mulberry32, type Rng } from './prng.ts';
import { SIM_ERR_APP_NOT_FOUND } from './sim-errors.ts';
import type {
  AppStatusView, AppSummary, DeployAccepted, DeployOutcome, Fault, FaultCommand, FaultMode, Invocation, LogEntry, MachineView, Reachability, SimImage,
  SimRelease, SimUser,
} from './sim-types.ts';
import type { PushOptions } from './image-registry.ts';
import { DEFAULT_BASELINE_ERROR_RATE, DEFAULT_REQUEST_RATE } from './traffic.ts';
import { SimWorld } from './world.ts';

export interface SimBackendOptions {
  deployMs: number;
  seed: number;
  now: () => number;
  requestRate?: number;
  baselineErrorRate?: number;
  failUnhealthyReleases?: boolean;
  resetCountersOnDeploy?: boolean;
  /** User recorded for deploys made through the fake fly (`via: 'fly'`). */
  cliUser?: string;
  /** Traffic tick of every app (default the TrafficLoop's). */
  trafficTickMs?: number;
}

/** Who CI deploys (and v1) are attributed to. */
export const CI_USER = 'ci@example.com';
export const DEFAULT_CLI_USER = 'watchdog@example.com';

export class SimBackend implements ControlBackend {
  readonly world: SimWorld;
  readonly #opts: SimBackendOptions;
  readonly #runtimes = new Map<string, AppRuntime>();
  readonly #faults = new FaultQueue();
  readonly #checksRng: Rng;
  #invocations: Invocation[] = [];

  constructor(opts: SimBackendOptions) {
    this.#opts = opts;
    this.#checksRng = mulberry32(deriveSeed(opts.seed, 'checks'));
    this.world = new SimWorld({
      deployMs: opts.deployMs,
      now: opts.now,
      rng: mulberry32(deriveSeed(opts.seed, 'world')),
      failUnhealthyReleases: opts.failUnhealthyReleases ?? false,
    });
    this.world.onEvent((e) => {
      const runtime = this.#runtimes.get(e.app);
      if (e.type === 'deploy-started') runtime?.deployStarted(e.image, e.machines);
      // Not awaited: the fake app's switch is chained internally and waitForRelease waits for it.
      if (e.type === 'deploy-finished') void runtime?.deployFinished(e.profile, e.machines);
      if (e.type === 'deploy-ended') runtime?.deployEnded(e.release, e.machines);
    });
  }

  now(): number {
    return this.#opts.now();
  }

  runtime(app: string): AppRuntime {
    const runtime = this.#runtimes.get(app);
    if (!runtime) throw new SIM_ERR_APP_NOT_FOUND(app);
    return runtime;
  }

  async addApp(name: string, opts: Omit<AddAppBody, 'name'>): Promise<AppSummary> {
    const record = this.world.createApp(name, opts.profile ?? 'healthy', opts.machines ?? 1, userFor(CI_USER), {
      ...(opts.shape ? { shape: opts.shape } : {}),
      ...(opts.autostop ? { autostop: opts.autostop } : {}),
      ...(opts.extraGroups ? { extraGroups: opts.extraGroups } : {}),
    });
    const runtime = new AppRuntime({
      name,
      ...(opts.port !== undefined ? { port: opts.port } : {}),
      requestRate: opts.requestRate ?? this.#opts.requestRate ?? DEFAULT_REQUEST_RATE,
      baselineErrorRate: this.#opts.baselineErrorRate ?? DEFAULT_BASELINE_ERROR_RATE,
      now: this.#opts.now,
      rng: (stream) => mulberry32(deriveSeed(this.#opts.seed, `${name}/${stream}`)),
      machines: () => this.world.app(name).machines,
      resetCountersOnDeploy: this.#opts.resetCountersOnDeploy ?? false,
      ...(this.#opts.trafficTickMs !== undefined ? { tickMs: this.#opts.trafficTickMs } : {}),
    });
    this.#runtimes.set(name, runtime);
    await runtime.start(record.image);
    return this.appSummary(name);
  }

  listApps(): AppSummary[] {
    return this.world.appNames().map((name) => this.appSummary(name));
  }

  appSummary(name: string): AppSummary {
    const app = this.world.app(name);
    const { fakeApp } = this.runtime(name);
    return {
      name,
      url: fakeApp.url,
      port: fakeApp.port,
      imageRef: app.image.ref,
      profile: app.image.profileSpec,
      version: app.version,
      machines: app.machines.map((m) => m.id),
    };
  }

  releases(app: string): SimRelease[] {
    return this.world.releases(app);
  }

  startDeploy(app: string, body: DeployBody): DeployAccepted {
    const { image, ...accepted } = this.world.startDeploy(app, body.image, this.#user(body), {
      ...(body.strategy ? { strategy: body.strategy } : {}),
      ...(body.config ? { config: body.config } : {}),
      ...(body.skipReleaseCommand ? { skipReleaseCommand: true } : {}),
      ...(body.updateOnly ? { updateOnly: true } : {}),
      ...(body.outcome ? { outcome: body.outcome } : {}),
    });
    return { ...accepted, imageId: image.id };
  }

  /** A config-only release (`fly secrets set`): same image, today's secrets. */
  restart(app: string, body: { user?: string; via?: 'fly' | 'api'; outcome?: DeployOutcome }): SimRelease {
    return this.world.restart(app, this.#user(body), body.outcome);
  }

  setSecrets(app: string, set: Record<string, string>, unset: readonly string[]): void {
    this.world.setSecrets(app, set, unset);
  }

  /** While `name` (= `value`) is among a release's secrets, the app runs as `profile`. */
  addSecretEffect(app: string, name: string, profile: string, value?: string): void {
    this.world.addSecretEffect(app, secretEffect(name, profile, value));
  }

  endRelease(app: string, id: string, status: 'failed' | 'interrupted', error?: string): SimRelease {
    return this.world.endRelease(app, id, status, error);
  }

  setReachability(app: string, reachability: Reachability): Promise<void> {
    return this.runtime(app).fakeApp.setReachability(reachability);
  }

  scale(app: string, group: string, count: number): void {
    this.world.scale(app, group, count);
  }

  stopIdle(app: string, count: number): string[] {
    return this.world.stopIdle(app, count);
  }

  #user(body: { user?: string | undefined; via?: 'fly' | 'api' | undefined }): SimUser {
    return userFor(body.user ?? (body.via === 'fly' ? (this.#opts.cliUser ?? DEFAULT_CLI_USER) : CI_USER));
  }

  release(app: string, id: string): SimRelease {
    return this.world.release(app, id);
  }

  /** Also waits for the fake app to finish switching, so `complete` means "serving the new image". */
  async waitForRelease(app: string, id: string, waitMs: number): Promise<SimRelease> {
    const release = await this.world.waitForRelease(app, id, waitMs);
    await this.#runtimes.get(app)?.fakeApp.settled();
    return release;
  }

  status(app: string): AppStatusView {
    return { name: app, version: this.world.app(app).version, deployed: true, machines: this.machines(app) };
  }

  machines(app: string): MachineView[] {
    const record = this.world.app(app);
    return machineViews(record.machines, record.profile, this.#checksRng, this.now());
  }

  logs(app: string, afterSeq: number): LogEntry[] {
    return this.runtime(app).logs.since(afterSeq);
  }

  metricsText(app: string): string {
    return this.runtime(app).metrics.render();
  }

  /**
   * Changes how an already pushed image behaves, everywhere it runs: the old image that breaks once
   * a migration has changed the database under it, or a dependency outage.
   */
  async setImageProfile(ref: string, profileSpec: string): Promise<void> {
    const image = this.world.image(ref);
    if (!image) throw new Error(`no image ${ref}`);
    image.profile = parseProfile(profileSpec);
    image.profileSpec = profileSpec;
    for (const [name, runtime] of this.#runtimes) {
      const app = this.world.app(name);
      if (app.image !== image) continue;
      this.world.refreshProfile(name);
      await runtime.fakeApp.setProfile(this.world.app(name).profile);
    }
  }

  pushImage(app: string, profile: string, opts: PushOptions = {}): SimImage {
    return this.world.pushImage(app, profile, opts);
  }

  images(): SimImage[] {
    return this.world.images();
  }

  resolveImage(ref: string): SimImage | undefined {
    return this.world.image(ref);
  }

  recordInvocation({ argv, command, cwd, env }: { argv: string[]; command?: string | undefined; cwd?: string | undefined; env?: Record<string, string> | undefined }): FaultMode | undefined {
    this.#invocations.push({ argv: [...argv], at: this.now(), ...(cwd !== undefined ? { cwd } : {}), ...(env ? { env: { ...env } } : {}) });
    return command === undefined ? undefined : this.#faults.take(command);
  }

  invocations(): Invocation[] {
    return this.#invocations.map((i) => ({ ...i, argv: [...i.argv], ...(i.env ? { env: { ...i.env } } : {}) }));
  }

  clearInvocations(): void {
    this.#invocations = [];
  }

  addFault(f: { command: FaultCommand; mode: FaultMode; times?: number }): void {
    this.#faults.add(f.command, f.mode, f.times ?? 1);
  }

  pendingFaults(): Fault[] {
    return this.#faults.pending();
  }

  clearFaults(): void {
    this.#faults.clear();
  }

  async close(): Promise<void> {
    this.world.close();
    await Promise.all([...this.#runtimes.values()].map((r) => r.close()));
  }
}

export function userFor(email: string): SimUser {
  const name = email.split('@')[0] ?? email;
  return { id: `usr_${Buffer.from(email).toString('hex').slice(0, 16)}`, name, email };
}
