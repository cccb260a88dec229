/**
 * The simulated platform state: apps, their machines and releases, and the image registry.
 * A deploy follows flyctl's order (internal/command/deploy/): the config is validated (mounts
 * need volumes) before the release exists; then release vN+1 is created `running`, the release
 * command runs in the new image, machines of process groups that left the config are destroyed
 * and groups without machines get new ones (unless `--update-only`); then the machines are
 * updated. `immediate` waits for nothing (machines_deploymachinesapp.go
 * updateUsingImmediateStrategy): the release completes at once. Other strategies wait for the
 * machines' checks: `deployMs` later the release completes, or fails (with failUnhealthyReleases,
 * or for bluegreen, which flyctl reverts: strategy_bluegreen.go Rollback destroys the green
 * machines and the old image keeps running). A rollback is nothing special: a deploy of an older
 * image. Listeners hear about deploys so the fake app, traffic and logs can follow.
 */
import { defaultConfig, type ConfigOptions, type SimAppConfig } from './app-config.ts';
import { groupChanges, missingVolumes } from './deploy-effects.ts';
import { releaseId, ulid } from './ids.ts';
import { ImageRegistry, type PushOptions } from './image-registry.ts';
import { MachineFactory, scaleGroup, stopIdleMachines } from './machine-factory.ts';
import { isListening, isReady } from './profile.ts';
import { addRelease, nextVersion, rollMachines, updateRelease } from './release-history.ts';
import { ReleaseWaiters } from './release-waiters.ts';
import { effectiveProfile, type SecretEffect } from './secret-effects.ts';
import type { AppRecord, DeployRequest, WorldEvent, WorldOptions } from './world-types.ts';
import { SIM_ERR_APP_EXISTS, SIM_ERR_APP_NOT_FOUND, SIM_ERR_DEPLOY_INVALID, SIM_ERR_IMAGE_NOT_FOUND, SIM_ERR_RELEASE_NOT_FOUND } from './sim-errors.ts';
import type { DeployAccepted, DeployOutcome, DeployStrategy, SimImage, SimRelease, SimUser } from './sim-types.ts';

export type { AppRecord, DeployRequest, WorldEvent, WorldOptions } from './world-types.ts';

export class SimWorld {
  readonly #opts: WorldOptions;
  readonly #apps = new Map<string, AppRecord>();
  readonly #registry: ImageRegistry;
  readonly #factory: MachineFactory;
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #listeners = new Set<(e: WorldEvent) => void>();
  readonly #waiters = new ReleaseWaiters();
  /** Per app: deploys started while another deploy of the app was still `running` (see deployOverlaps). */
  readonly #overlaps = new Map<string, number>();

  constructor(opts: WorldOptions) {
    this.#opts = opts;
    this.#registry = new ImageRegistry(opts.now, opts.rng);
    this.#factory = new MachineFactory(opts.now, opts.rng);
  }

  onEvent(listener: (e: WorldEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Like `docker push`: registers a new build with a behaviour; mints a deployment tag unless told the ref or label. */
  pushImage(app: string, profileSpec: string, opts: PushOptions | string = {}): SimImage {
    return this.#registry.push(app, profileSpec, typeof opts === 'string' ? { ref: opts } : opts);
  }

  /** The build a reference (tag or `name@sha256:…`) names now. */
  image(ref: string): SimImage | undefined {
    return this.#registry.resolve(ref);
  }

  images(): SimImage[] {
    return this.#registry.all();
  }

  /** Creates an app already running `profileSpec` as release v1, complete, as a first deploy leaves it. */
  createApp(name: string, profileSpec: string, machineCount: number, user: SimUser, shape: ConfigOptions = {}): AppRecord {
    if (this.#apps.has(name)) throw new SIM_ERR_APP_EXISTS(name);
    const image = this.pushImage(name, profileSpec);
    const config = defaultConfig(name, shape);
    const release = this.#newRelease(1, image.ref, image, 'complete', user, config.strategy || 'rolling', config, {});
    const worker = shape.shape === 'worker';
    const machines = [
      ...this.#factory.launch(release, 'app', machineCount, worker),
      ...(shape.extraGroups ?? []).flatMap((g, i) => this.#factory.launch(release, g, 1, true, machineCount + i)),
    ];
    const record: AppRecord = { name, machines, releases: [release], image, profile: image.profile, version: 1, secrets: {}, secretEffects: [] };
    this.#apps.set(name, record);
    return record;
  }

  hasApp(name: string): boolean {
    return this.#apps.has(name);
  }

  appNames(): string[] {
    return [...this.#apps.keys()];
  }

  /** Read-only view; throws SIM_ERR_APP_NOT_FOUND. */
  app(name: string): Readonly<AppRecord> {
    return this.#app(name);
  }

  releases(app: string): SimRelease[] {
    return [...this.app(app).releases];
  }

  release(app: string, id: string): SimRelease {
    const release = this.app(app).releases.find((r) => r.id === id);
    if (!release) throw new SIM_ERR_RELEASE_NOT_FOUND(id);
    return release;
  }

  /**
   * Starts a deploy of `imageRef` (see the file comment for the order of things). Throws
   * SIM_ERR_IMAGE_NOT_FOUND or SIM_ERR_DEPLOY_INVALID before any release exists. A deploy still
   * running for the same app is `interrupted` (its machines never switch).
   */
  startDeploy(appName: string, imageRef: string, user: SimUser, request: DeployRequest = {}): Omit<DeployAccepted, 'imageId'> & { image: SimImage } {
    const app = this.#app(appName);
    const image = this.#registry.resolve(imageRef);
    if (!image) throw new SIM_ERR_IMAGE_NOT_FOUND(imageRef);
    // deploy.go determineAppConfig and machines.go determineAppConfigForMachines: a local file
    // wins over the stored config, --app replaces its name, --strategy is written into it.
    const base = request.config ?? app.releases[0]?.config ?? defaultConfig(appName);
    const config: SimAppConfig = { ...base, app: appName, ...(request.strategy ? { strategy: request.strategy } : {}) };
    const missing = missingVolumes(config, app.machines);
    if (missing) throw new SIM_ERR_DEPLOY_INVALID(missing);
    const release = this.#begin(app, imageRef, image, user, config);
    const accepted = { release, image, machines: app.machines.map((m) => m.id), launched: [] as DeployAccepted['launched'], destroyed: [] as string[] };
    // machines_deploymachinesapp.go deployMachinesApp: the release command first, in the new image.
    if (config.releaseCommand && !request.skipReleaseCommand) {
      const machine = this.#factory.launch(release, 'fly_app_release_command', 1, false)[0]?.id ?? 'unknown';
      const exitCode = image.releaseCommandFails ? 1 : 0;
      if (exitCode !== 0) {
        this.#end(app, release.id, 'failed', `release command failed - aborting deployment. machine ${machine} exited with non-zero status of ${exitCode}`);
        return { ...accepted, release: this.release(appName, release.id), releaseCommand: { command: config.releaseCommand, machine, exitCode } };
      }
      Object.assign(accepted, { releaseCommand: { command: config.releaseCommand, machine, exitCode } });
    }
    const changes = groupChanges(config, app.machines, request.updateOnly ?? false);
    app.machines = app.machines.filter((m) => !changes.destroy.includes(m.id));
    for (const l of changes.launch) {
      const launched = this.#factory.launch(release, l.group, l.machines, l.standby, app.machines.length);
      app.machines.push(...launched);
      accepted.launched.push(...launched.map((m) => ({ id: m.id, group: m.processGroup, standbyFor: m.standbyFor })));
    }
    accepted.destroyed.push(...changes.destroy);
    accepted.machines = app.machines.filter((m) => !accepted.launched.some((l) => l.id === m.id)).map((m) => m.id);
    this.#schedule(app, release, image, request.outcome ?? 'normal');
    // An immediate deploy is already complete here.
    return { ...accepted, release: this.release(appName, release.id) };
  }

  /**
   * A restart-only deployment, as `fly secrets set/unset/import/deploy` runs one (flyctl
   * secrets/secrets.go DeploySecrets → NewMachineDeployment{RestartOnly}): a new release with
   * the current image (machines.go setImg) and config, machines restarted with today's secrets.
   */
  restart(appName: string, user: SimUser, outcome: DeployOutcome = 'normal'): SimRelease {
    const app = this.#app(appName);
    const current = app.releases[0];
    const config = current?.config ?? defaultConfig(appName);
    const release = this.#begin(app, current?.imageRef ?? app.image.ref, app.image, user, config);
    this.#schedule(app, release, app.image, outcome);
    return release;
  }

  /** `fly secrets set/unset`: changes the secrets the next release runs with. */
  setSecrets(appName: string, set: Record<string, string>, unset: readonly string[] = []): void {
    const app = this.#app(appName);
    app.secrets = { ...app.secrets, ...set };
    for (const name of unset) delete app.secrets[name];
  }

  addSecretEffect(appName: string, effect: SecretEffect): void {
    this.#app(appName).secretEffects.push(effect);
  }

  /**
   * flyctl ends the release itself: `failed` when the deploy fails, `interrupted` when it is
   * cancelled (machines_deploymachinesapp.go DeployMachinesApp). The machines stay as they are.
   */
  endRelease(appName: string, id: string, status: 'failed' | 'interrupted', error?: string): SimRelease {
    const app = this.#app(appName);
    if (this.release(appName, id).status === 'running') this.#end(app, id, status, error);
    return this.release(appName, id);
  }

  /** After an image's behaviour was changed in place (setImageProfile): how the app behaves now. */
  refreshProfile(appName: string): void {
    const app = this.#app(appName);
    const release = app.releases.find((r) => r.version === app.version);
    app.profile = effectiveProfile(app.image, release?.secrets ?? {}, app.secretEffects);
  }

  /** `fly scale count GROUP=N`: destroys machines of the group beyond N (with their standbys), or launches more. */
  scale(appName: string, group: string, count: number): void {
    const app = this.#app(appName);
    const release = app.releases.find((r) => r.version === app.version);
    app.machines = scaleGroup(app.machines, group, count, (n) => (release ? this.#factory.launch(release, group, n, false, app.machines.length) : []));
  }

  /** Fly's proxy stops `count` idle machines of a service with autostop on (they start on the next request). */
  stopIdle(appName: string, count: number): string[] {
    const app = this.#app(appName);
    const { machines, stopped } = stopIdleMachines(app.machines, count);
    app.machines = machines;
    return stopped;
  }

  deployOverlaps(app?: string): number {
    if (app !== undefined) return this.#overlaps.get(app) ?? 0;
    let total = 0;
    for (const n of this.#overlaps.values()) total += n;
    return total;
  }

  /** Resolves with the release once it is no longer `running`, or as it is after `timeoutMs`. */
  async waitForRelease(app: string, id: string, timeoutMs: number): Promise<SimRelease> {
    const current = this.release(app, id);
    if (current.status !== 'running' || timeoutMs <= 0) return current;
    await this.#waiters.wait(id, timeoutMs);
    return this.#apps.get(app)?.releases.find((r) => r.id === id) ?? current;
  }

  /** Cancels pending deploys (they stay `running`) and releases every waiter. */
  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    this.#waiters.wakeAll();
  }

  #app(name: string): AppRecord {
    const app = this.#apps.get(name);
    if (!app) throw new SIM_ERR_APP_NOT_FOUND(name);
    return app;
  }

  /** Creates release vN+1 `running`, interrupting a deploy of the app still running. */
  #begin(app: AppRecord, imageRef: string, image: SimImage, user: SimUser, config: SimAppConfig): SimRelease {
    const running = app.releases.filter((r) => r.status === 'running');
    if (running.length > 0) this.#overlaps.set(app.name, (this.#overlaps.get(app.name) ?? 0) + 1);
    for (const r of running) this.#end(app, r.id, 'interrupted');
    const release = this.#newRelease(nextVersion(app.releases), imageRef, image, 'running', user, config.strategy || 'rolling', config, { ...app.secrets });
    app.releases = addRelease(app.releases, release);
    this.#emit({ type: 'deploy-started', app: app.name, release, image, machines: app.machines });
    return release;
  }

  #schedule(app: AppRecord, release: SimRelease, image: SimImage, outcome: DeployOutcome): void {
    if (release.strategy === 'immediate' && outcome === 'normal') {
      this.#finish(app, release.id, image, outcome);
      return;
    }
    this.#timers.set(release.id, setTimeout(() => this.#finish(app, release.id, image, outcome), this.#opts.deployMs));
  }

  #finish(app: AppRecord, id: string, image: SimImage, outcome: DeployOutcome): void {
    this.#timers.delete(id);
    const release = app.releases.find((r) => r.id === id);
    if (!release || release.status !== 'running') return; // dropped from history, or ended by flyctl
    const profile = effectiveProfile(image, release.secrets, app.secretEffects);
    const healthy = isListening(profile) && isReady(profile);
    if (outcome === 'failed') return this.#end(app, id, 'failed', 'failed to update machines: the machine update was refused');
    if (outcome === 'interrupted') return this.#end(app, id, 'interrupted');
    if (outcome === 'normal' && release.strategy === 'bluegreen' && !healthy) {
      return this.#end(app, id, 'failed', 'could not get all green machines to be healthy');
    }
    const failed = outcome === 'normal' && this.#opts.failUnhealthyReleases && !healthy && release.strategy !== 'immediate';
    if (outcome === 'normal') {
      app.releases = updateRelease(app.releases, id, failed ? { status: 'failed', error: `timeout reached waiting for health checks to pass for machine ${app.machines[0]?.id ?? 'unknown'}` } : { status: 'complete' });
    }
    const current = app.releases.find((r) => r.id === id) ?? release;
    app.machines = rollMachines(app.machines, current, this.#opts.now(), () => ulid(this.#opts.now(), this.#opts.rng));
    app.image = image;
    app.profile = profile;
    app.version = current.version;
    this.#emit({ type: 'deploy-finished', app: app.name, release: current, image, profile, machines: app.machines });
    this.#waiters.wake(id);
  }

  #end(app: AppRecord, id: string, status: 'failed' | 'interrupted', error?: string): void {
    clearTimeout(this.#timers.get(id));
    this.#timers.delete(id);
    app.releases = updateRelease(app.releases, id, { status, ...(error !== undefined ? { error } : {}) });
    const release = app.releases.find((r) => r.id === id);
    if (release) this.#emit({ type: 'deploy-ended', app: app.name, release, machines: app.machines });
    this.#waiters.wake(id);
  }

  #newRelease(
    version: number, imageRef: string, image: SimImage, status: SimRelease['status'], user: SimUser,
    strategy: DeployStrategy, config: SimAppConfig, secrets: Record<string, string>,
  ): SimRelease {
    return { id: releaseId(this.#opts.rng), version, status, description: 'Release', user, createdAt: this.#opts.now(), imageRef, imageDigest: image.digest, strategy, config, secrets };
  }

  #emit(event: WorldEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
