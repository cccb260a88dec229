/**
 * The simulated platform state: apps, their machines and releases, and the image registry. A
 * deploy creates release vN+1 `running` and, `deployMs` later, marks it `complete` and switches
 * the machines to its image. A rollback is nothing special: a deploy of an older image.
 * Listeners hear about deploys so the fake app, traffic and logs can follow.
 */
import { deploymentImageRef, imageDigest, imageId, machineId, machineName, privateIp, releaseId, ulid } from './ids.ts';
import { isReady, isListening, parseProfile } from './profile.ts';
import type { Rng } from './prng.ts';
import { addRelease, nextVersion, rollMachines, updateRelease } from './release-history.ts';
import { SIM_ERR_APP_EXISTS, SIM_ERR_APP_NOT_FOUND, SIM_ERR_IMAGE_NOT_FOUND, SIM_ERR_RELEASE_NOT_FOUND } from './sim-errors.ts';
import type { DeployStrategy, SimImage, SimMachine, SimRelease, SimUser } from './sim-types.ts';

export interface WorldOptions {
  deployMs: number;
  now: () => number;
  rng: Rng;
  /**
   * When true, a release whose image fails its checks (down, unready) ends `failed`, as when
   * flyctl's health-check wait times out; the machines still run the new image. Default false:
   * every release completes.
   */
  failUnhealthyReleases?: boolean;
}

export type WorldEvent =
  | { type: 'deploy-started'; app: string; release: SimRelease; image: SimImage; machines: SimMachine[] }
  | { type: 'deploy-finished'; app: string; release: SimRelease; image: SimImage; machines: SimMachine[] }
  | { type: 'deploy-interrupted'; app: string; release: SimRelease };

export interface AppRecord {
  name: string;
  machines: SimMachine[];
  releases: SimRelease[];
  image: SimImage;
  version: number;
}

const REGIONS = ['iad', 'ord', 'lhr', 'nrt'];

export class SimWorld {
  readonly #opts: WorldOptions;
  readonly #apps = new Map<string, AppRecord>();
  readonly #images = new Map<string, SimImage>();
  readonly #timers = new Map<string, NodeJS.Timeout>();
  readonly #listeners = new Set<(e: WorldEvent) => void>();
  /** Resolvers waiting for a release to leave `running`, by release id. */
  readonly #waiters = new Map<string, Set<() => void>>();
  /** Per app: deploys started while another deploy of the app was still `running` (see deployOverlaps). */
  readonly #overlaps = new Map<string, number>();

  constructor(opts: WorldOptions) {
    this.#opts = opts;
  }

  onEvent(listener: (e: WorldEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  /** Like `docker push`: registers an image with a behaviour; mints a deployment tag unless `ref` is given. */
  pushImage(app: string, profileSpec: string, ref?: string): SimImage {
    const profile = parseProfile(profileSpec);
    const imageRef = ref ?? deploymentImageRef(app, ulid(this.#opts.now(), this.#opts.rng));
    const image: SimImage = { ref: imageRef, id: imageId(imageRef), digest: imageDigest(imageRef), profileSpec, profile, pushedAt: this.#opts.now() };
    this.#images.set(imageRef, image);
    return image;
  }

  image(ref: string): SimImage | undefined {
    return this.#images.get(ref);
  }

  images(): SimImage[] {
    return [...this.#images.values()];
  }

  /** Creates an app already running `profileSpec` as release v1, complete. */
  createApp(name: string, profileSpec: string, machineCount: number, user: SimUser): AppRecord {
    if (this.#apps.has(name)) throw new SIM_ERR_APP_EXISTS(name);
    const image = this.pushImage(name, profileSpec);
    const now = this.#opts.now();
    const release = this.#newRelease(1, image.ref, 'complete', user, 'immediate');
    const machines = Array.from({ length: machineCount }, (_, i): SimMachine => ({
      id: machineId(this.#opts.rng),
      name: machineName(this.#opts.rng),
      region: REGIONS[i % REGIONS.length] ?? 'iad',
      state: 'started',
      instanceId: ulid(now, this.#opts.rng),
      privateIp: privateIp(this.#opts.rng),
      createdAt: now,
      updatedAt: now,
      imageRef: image.ref,
      releaseId: release.id,
      releaseVersion: 1,
    }));
    const record: AppRecord = { name, machines, releases: [release], image, version: 1 };
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
    const app = this.#apps.get(name);
    if (!app) throw new SIM_ERR_APP_NOT_FOUND(name);
    return app;
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
   * Starts a deploy: release vN+1 `running` now, `complete` after deployMs. A deploy still running
   * for the same app is `interrupted` (its machines never switch), as a newer deploy would do.
   */
  startDeploy(appName: string, imageRef: string, user: SimUser, strategy: DeployStrategy = 'rolling'): SimRelease {
    const app = this.#apps.get(appName);
    if (!app) throw new SIM_ERR_APP_NOT_FOUND(appName);
    const image = this.#images.get(imageRef);
    if (!image) throw new SIM_ERR_IMAGE_NOT_FOUND(imageRef);
    const running = app.releases.filter((r) => r.status === 'running');
    if (running.length > 0) this.#overlaps.set(appName, (this.#overlaps.get(appName) ?? 0) + 1);
    for (const release of running) this.#interrupt(app, release);
    const release = this.#newRelease(nextVersion(app.releases), imageRef, 'running', user, strategy);
    app.releases = addRelease(app.releases, release);
    this.#emit({ type: 'deploy-started', app: appName, release, image, machines: app.machines });
    this.#timers.set(release.id, setTimeout(() => this.#finish(app, release.id, image), this.#opts.deployMs));
    return release;
  }

  /**
   * How many deploys of `app` started while another deploy of it was still `running` (the older one
   * is interrupted). Two deployers acting on one app at once show up here; tests of replicas
   * assert it stays 0. Without `app`: the total over every app.
   */
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
    await new Promise<void>((resolve) => {
      const waiters = this.#waiters.get(id) ?? new Set<() => void>();
      const done = () => {
        clearTimeout(timer);
        waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(timeoutMs, 2 ** 31 - 1));
      waiters.add(done);
      this.#waiters.set(id, waiters);
    });
    return this.#findRelease(app, id) ?? current;
  }

  /** Cancels pending deploys (they stay `running`) and releases every waiter. */
  close(): void {
    for (const timer of this.#timers.values()) clearTimeout(timer);
    this.#timers.clear();
    for (const waiters of this.#waiters.values()) for (const done of [...waiters]) done();
    this.#waiters.clear();
  }

  #finish(app: AppRecord, id: string, image: SimImage): void {
    this.#timers.delete(id);
    const healthy = isListening(image.profile) && isReady(image.profile);
    const status = this.#opts.failUnhealthyReleases && !healthy ? 'failed' : 'complete';
    app.releases = updateRelease(app.releases, id, { status });
    const release = app.releases.find((r) => r.id === id);
    if (!release) return; // dropped from the capped history mid-deploy; nothing left to finish
    app.machines = rollMachines(app.machines, release, this.#opts.now(), () => ulid(this.#opts.now(), this.#opts.rng));
    app.image = image;
    app.version = release.version;
    this.#emit({ type: 'deploy-finished', app: app.name, release, image, machines: app.machines });
    this.#wake(id);
  }

  #interrupt(app: AppRecord, release: SimRelease): void {
    clearTimeout(this.#timers.get(release.id));
    this.#timers.delete(release.id);
    app.releases = updateRelease(app.releases, release.id, { status: 'interrupted' });
    this.#emit({ type: 'deploy-interrupted', app: app.name, release: { ...release, status: 'interrupted' } });
    this.#wake(release.id);
  }

  #wake(id: string): void {
    for (const done of [...(this.#waiters.get(id) ?? [])]) done();
    this.#waiters.delete(id);
  }

  #findRelease(app: string, id: string): SimRelease | undefined {
    return this.#apps.get(app)?.releases.find((r) => r.id === id);
  }

  #newRelease(version: number, imageRef: string, status: SimRelease['status'], user: SimUser, strategy: DeployStrategy): SimRelease {
    return { id: releaseId(this.#opts.rng), version, status, description: 'Release', user, createdAt: this.#opts.now(), imageRef, strategy };
  }

  #emit(event: WorldEvent): void {
    for (const listener of this.#listeners) listener(event);
  }
}
