import { sameBuild } from '../../domain/build-identity.ts';
import type { ReleaseRef, ReleaseView } from '../../domain/target-state.ts';

/**
 * Where to go back to: the newest release older than the failing one whose image passed its guard.
 * Never the failing image, never an image judged bad in any release, never the watchdog's own
 * rollback releases (their image's original release carries the verdict), and never a release
 * the platform did not finish. Undefined means "no known-good release": hold, don't guess.
 */
export function chooseRollbackRelease(history: readonly ReleaseView[], failing: ReleaseRef): ReleaseView | undefined {
  const bad = [failing, ...history.filter((r) => r.verdict === 'bad')];
  return [...history]
    .sort((a, b) => b.version - a.version)
    .find(
      (r) =>
        r.version < failing.version &&
        r.origin === 'deploy' &&
        r.verdict === 'good' &&
        r.status === 'complete' &&
        r.imageRef !== '' && // Fly recorded no image: nothing to redeploy
        !bad.some((b) => sameBuild(b, r)),
    );
}
