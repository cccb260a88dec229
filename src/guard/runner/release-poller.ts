/**
 * Reads the platform's release list and feeds it to the guard. Any platform failure (flyctl exit 1,
 * a hang, output that does not parse) is logged and counted, and leads to no action. A scheduled
 * poll first asks for the platform's release fingerprint and stops there when it shows nothing new
 * (release-listing.ts); a fresh poll (a deploy was announced, or this runner just deployed) lists.
 */
import type { ResolvedTarget } from '../../config/resolve.ts';
import type { Release } from '../../domain/release.ts';
import type { ReleaseView, TargetState } from '../../domain/target-state.ts';
import type { Clock } from '../../infra/clock.ts';
import type { Logger } from '../../infra/log.ts';
import type { Readiness } from '../../infra/readiness.ts';
import type { WatchdogMetrics } from '../../metrics/recorder.ts';
import type { MachineStatus, Platform } from '../../platform/types.ts';
import type { Store } from '../../store/types.ts';
import type { GuardEvent } from '../step/context.ts';
import { isSettled, mustListReleases, type ReleaseListing } from './release-listing.ts';
import { errorCode, errorMessage } from './side-tasks.ts';

export const RELIST_AFTER_MS = 10 * 60_000;

export interface ReleasePollerDeps {
  target: ResolvedTarget;
  platform: Platform;
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: WatchdogMetrics;
  stopped: AbortSignal;
  state: () => Pick<TargetState, 'phase' | 'lastSeenVersion'>;
  /** Steps the event built from the stored releases; resolves true once it was taken in. */
  dispatch: (makeEvent: () => Promise<GuardEvent>) => Promise<boolean>;
  /** How long an unchanged fingerprint may stand in for a listing (spread per target by the runner). */
  relistAfterMs: number;
  readiness?: Readiness;
}

/** Listings failed in a row before the target counts as blind to new deploys. */
export const BLIND_AFTER_FAILED_LISTINGS = 3;

export class ReleasePoller {
  readonly #deps: ReleasePollerDeps;
  /** The last listing the guard took in, against which a fingerprint may skip the next one. */
  #listing: ReleaseListing | undefined;
  #listedOnce = false;
  #failedInARow = 0;
  /** The scheduled poll under way, which another scheduled poll joins rather than doubles. */
  #scheduled: Promise<void> | undefined;

  constructor(deps: ReleasePollerDeps) {
    this.#deps = deps;
  }

  /** True once a release list has been read successfully at least once. */
  get listedOnce(): boolean {
    return this.#listedOnce;
  }

  /**
   * A scheduled poll joins one already under way for this target, so a target whose poll is slow
   * (flyctl at its timeout, a locked store) never holds up another's; a fresh poll always lists.
   */
  poll(options: { fresh?: boolean } = {}): Promise<void> {
    if (options.fresh) return this.#poll(true);
    this.#scheduled ??= this.#poll(false).finally(() => {
      this.#scheduled = undefined;
    });
    return this.#scheduled;
  }

  async #poll(fresh: boolean): Promise<void> {
    const { platform, store, clock, stopped, metrics, target } = this.#deps;
    if (stopped.aborted) return;
    // A fresh poll does not wait for the machines: it lists at once, and records no fingerprint,
    // so the next scheduled poll lists once more and takes one.
    const fingerprint = fresh ? undefined : await this.#fingerprint();
    if (stopped.aborted) return;
    const question = { last: this.#listing, fingerprint, phase: this.#deps.state().phase, now: clock.now(), relistAfterMs: this.#deps.relistAfterMs };
    if (!fresh && !mustListReleases(question)) {
      metrics.incReleasePoll?.('unchanged');
      return;
    }
    let releases;
    try {
      releases = await platform.listReleases(target.app, stopped);
    } catch (err) {
      if (stopped.aborted) return; // killed by our own shutdown: not a platform fault
      metrics.incPlatformError('releases');
      this.#deps.logger.error({ err: { code: errorCode(err), message: errorMessage(err) } }, 'could not list releases; no action taken');
      if (++this.#failedInARow >= BLIND_AFTER_FAILED_LISTINGS) this.#deps.readiness?.fail('releases-unreadable', target.name, errorMessage(err));
      return;
    }
    this.#failedInARow = 0;
    this.#deps.readiness?.clear('releases-unreadable', target.name);
    metrics.incReleasePoll?.('listed');
    const listing: ReleaseListing = { fingerprint, listedAt: clock.now(), settled: isSettled(releases) };
    const live = await this.#liveness(releases);
    const taken = await this.#deps.dispatch(async () => {
      await store.syncReleases(target.name, releases, clock.now());
      const stored = await store.listReleases(target.name, releases.length + 50);
      const byVersion = new Map(stored.map((r) => [r.version, r]));
      const views: ReleaseView[] = releases.map((r) => {
        const s = byVersion.get(r.version);
        const imageDigest = r.imageDigest ?? s?.imageDigest;
        return {
          ...r,
          ...(imageDigest && { imageDigest }),
          ...(live?.version === r.version && live.live !== undefined && { live: live.live }),
          verdict: s?.verdict ?? 'pending',
          origin: s?.origin ?? 'deploy',
          ...(s?.verdictReason && { verdictReason: s.verdictReason }),
          ...(s?.migrationMarker !== undefined && { migrationMarker: s.migrationMarker }),
        };
      });
      return { type: 'releases', releases: views };
    });
    // Only a listing the guard took in may stand in for later ones: if its step failed (the
    // store, a lease lost for a moment), the next poll lists again instead of trusting the machines.
    // So does one whose newest release could not be placed (whether machines run it is unknown).
    if (!taken) return;
    this.#listedOnce = true;
    if (!live || live.live !== undefined) this.#listing = listing;
  }

  /**
   * Whether the newest new release reached the machines, when its status alone cannot say: it ended
   * failed or interrupted (Fly may have kept the previous image, e.g. a reverted bluegreen deploy),
   * or it has been `running` for longer than `guard.stuckAfter` (its deploy may have died).
   */
  async #liveness(releases: readonly Release[]): Promise<{ version: number; live: boolean | undefined } | undefined> {
    const { platform, target, clock, stopped } = this.#deps;
    const newest = releases[0];
    if (!newest || newest.version <= this.#deps.state().lastSeenVersion) return undefined;
    const ended = newest.status === 'failed' || newest.status === 'interrupted';
    const stuck = (newest.status === 'running' || newest.status === 'pending') && clock.now() - newest.createdAt >= target.guard.stuckAfter;
    if (!ended && !stuck) return undefined;
    try {
      // Any machine the deploy reached counts, started or not: a build that crashes leaves its
      // machines stopped, and that is exactly the release the guard must judge.
      const machines = (await platform.status(target.app, stopped)).machines.filter((m) => m.state !== 'destroyed' && m.state !== 'destroying');
      const runs = (m: MachineStatus) => (m.releaseVersion !== undefined ? m.releaseVersion === newest.version : m.imageRef === newest.imageRef);
      return { version: newest.version, live: machines.some(runs) };
    } catch (err) {
      this.#deps.metrics.incPlatformError('status');
      this.#deps.logger.warn({ err: { code: errorCode(err), message: errorMessage(err) }, version: newest.version }, 'could not read which release the machines run; deciding on the release at the next poll');
      return { version: newest.version, live: undefined };
    }
  }

  /** The platform's release fingerprint, or undefined when it has none or could not read it (then the poll lists). */
  async #fingerprint(): Promise<string | undefined> {
    const { platform, target, stopped } = this.#deps;
    if (!platform.releaseFingerprint) return undefined;
    try {
      return await platform.releaseFingerprint(target.app, stopped);
    } catch (err) {
      if (stopped.aborted) return undefined;
      this.#deps.metrics.incPlatformError('machines');
      this.#deps.logger.warn({ err: { code: errorCode(err), message: errorMessage(err) } }, 'could not read the machines; listing releases instead');
      return undefined;
    }
  }
}
