import type { AppStatus, DeployOptions, DeployResult, Platform } from '../../src/platform/types.ts';
import type { Release } from '../../src/domain/release.ts';

/**
 * An in-memory platform: releases per app, and a deploy that creates a release the way Fly does
 * (a new version carrying the deployed image). Every call is recorded for assertions.
 */
export class FakePlatform implements Platform {
  readonly name = 'fake';
  readonly releases = new Map<string, Release[]>();
  readonly deploys: { app: string; imageRef: string; options: DeployOptions }[] = [];
  /** Set to make the next listReleases / deployImage calls fail. */
  failListWith: Error | undefined;
  failDeployWith: Error | undefined;
  /** Resolve deploys manually (to hold one in flight); otherwise they complete at once. */
  holdDeploys = false;
  readonly #held: (() => void)[] = [];
  #clock: () => number;

  constructor(clock: () => number = Date.now) {
    this.#clock = clock;
  }

  release(app: string, imageRef: string, status = 'complete'): Release {
    const list = this.releases.get(app) ?? [];
    const r: Release = { version: (list[0]?.version ?? 0) + 1, imageRef, status, createdAt: this.#clock(), user: 'ci@example.com', description: 'Release' };
    this.releases.set(app, [r, ...list]);
    return r;
  }

  /** listReleases calls so far (a flyctl process each, on Fly). */
  listCalls = 0;

  /** listReleases calls per app. */
  readonly listCallsOf = new Map<string, number>();
  /** Apps whose listReleases never answers (until its signal aborts), as a flyctl that hangs. */
  readonly hangListsOf = new Set<string>();

  async listReleases(app: string, signal?: AbortSignal): Promise<Release[]> {
    this.listCalls++;
    this.listCallsOf.set(app, (this.listCallsOf.get(app) ?? 0) + 1);
    if (this.failListWith) throw this.failListWith;
    if (this.hangListsOf.has(app)) {
      await new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason), { once: true }));
    }
    return structuredClone(this.releases.get(app) ?? []);
  }

  /**
   * Off by default (releaseFingerprint answers undefined, so every poll lists). When on, it
   * answers like the Machines API: the newest release that went live, which a release still
   * `running` has not yet changed.
   */
  fingerprints = false;
  failFingerprintWith: Error | undefined;

  fingerprintCalls = 0;

  async releaseFingerprint(app: string): Promise<string | undefined> {
    this.fingerprintCalls++;
    if (this.failFingerprintWith) throw this.failFingerprintWith;
    if (!this.fingerprints) return undefined;
    const live = this.releases.get(app)?.find((r) => r.status === 'complete');
    return live ? `m1 v${live.version} ${live.imageRef}` : '';
  }

  async deployImage(app: string, imageRef: string, options: DeployOptions): Promise<DeployResult> {
    this.deploys.push({ app, imageRef, options });
    if (this.failDeployWith) throw this.failDeployWith;
    // A held deploy is killed by its signal, as flyctl would be.
    if (this.holdDeploys) {
      await new Promise<void>((resolve, reject) => {
        this.#held.push(resolve);
        options.signal?.addEventListener('abort', () => reject(new Error('flyctl killed')), { once: true });
      });
    }
    const r = this.release(app, imageRef);
    return { version: r.version, imageRef, output: 'ok', durationMs: 1 };
  }

  /** Lets every held deploy finish. */
  finishDeploys(): void {
    for (const resolve of this.#held.splice(0)) resolve();
  }

  /** Set to leave one machine on this image whatever is deployed (a deploy that "succeeded" but did not take). */
  strayMachineImage: string | undefined;

  async status(app: string): Promise<AppStatus> {
    const current = this.releases.get(app)?.[0];
    const machine = (id: string, imageRef: string) => ({ id, state: 'started', region: 'iad', imageRef, checks: [] });
    const image = current?.imageRef ?? '';
    return {
      app,
      version: current?.version ?? 0,
      deployed: true,
      machines: [machine('m1', image), machine('m2', this.strayMachineImage ?? image)],
    };
  }

  /** What `fly logs` returns; tests set it. */
  logLines: string[] = [];

  async recentLogs(_app: string, lines: number): Promise<string[]> {
    return this.logLines.slice(-lines);
  }
}
