/**
 * The reference a rollback deploys. By tag, as Fly recorded it, unless the tag has since been
 * reused for another build (a later release of the same tag with another digest, `--image-label`):
 * then by digest, so the rollback gets the build that passed its guard, not whatever the tag names now.
 */
import { imageRefByDigest } from '../../domain/build-identity.ts';
import type { ReleaseRef, ReleaseView } from '../../domain/target-state.ts';

export function rollbackImage(to: ReleaseRef, history: readonly ReleaseView[]): string {
  const digest = to.imageDigest;
  if (!digest) return to.imageRef;
  const reused = history.some((r) => r.imageRef === to.imageRef && r.imageDigest !== undefined && r.imageDigest !== digest);
  return reused ? imageRefByDigest(to.imageRef, digest) : to.imageRef;
}
