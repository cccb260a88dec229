/**
 * Reads the platform's release list and feeds it to the guard. Any platform failure (flyctl exit 1,
 * a hang, output that does not parse) is logged and counted, and leads to no action. A scheduled
 * poll first asks for the platform's release fingerprint and stops there when it shows nothing new
 * (release-listing.ts); a fresh poll (a deploy was announced, or this runner just deployed) lists.
 */
import type { ResolvedTarget } from '../../config/resolve.ts';
import type { ReleaseView, TargetPhase } from '../../domain/target-state.ts';
import type { Clock } from '../../infra/clock.ts';
import type { Logger } from '../../infra/log.ts';
import type { WatchdogMetrics } from '../../metrics/recorder.ts';
import type { Platform } from '../../platform/types.ts';
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
  phase: () => TargetPhase;
  /** Steps the event built from the stored releases; resolves true once it was taken in. */
  dispatch: (makeEvent: () => Promise<GuardEvent>) => Promise<boolean>;
  /** How long an unchanged fingerprint may stand in for a listing (spread per target by the runner). */
  relistAfterMs: number;
}

export class ReleasePoller {
  readonly #deps: ReleasePollerDeps;
  /** The last listing the guard took in, against which a fingerprint may skip the next one. */
  #listing: ReleaseListing | undefined;
  #listedOnce = false;

  constructor(deps: ReleasePollerDeps) {
    this.#deps = deps;
  }

  /** True once a release list has been read successfully at least once. */
  get listedOnce(): boolean {
    return this.#listedOnce;
  }

  async poll(options: { fresh?: boolean } = {}): Promise<void> {
    const { platform, store, clock, stopped, metrics, target } = this.#deps;
    if (stopped.aborted) return;
    // A fresh poll does not wait for the machines: it lists at once, and records no fingerprint,
    // so the next scheduled poll lists once more and takes one.
    const fingerprint = options.fresh ? undefined : await this.#fingerprint();
    if (stopped.aborted) return;
    const question = { last: this.#listing, fingerprint, phase: this.#deps.phase(), now: clock.now(), relistAfterMs: this.#deps.relistAfterMs };
    if (!options.fresh && !mustListReleases(question)) {
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
      return;
    }
    metrics.incReleasePoll?.('listed');
    const listing: ReleaseListing = { fingerprint, listedAt: clock.now(), settled: isSettled(releases) };
    const taken = await this.#deps.dispatch(async () => {
      await store.syncReleases(target.name, releases, clock.now());
      const stored = await store.listReleases(target.name, releases.length + 50);
      const byVersion = new Map(stored.map((r) => [r.version, r]));
      const views: ReleaseView[] = releases.map((r) => {
        const s = byVersion.get(r.version);
        return {
          ...r,
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
    if (taken) {
      this.#listing = listing;
      this.#listedOnce = true;
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
