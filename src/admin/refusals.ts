/**
 * The admin API's answer to each refusal the guard can give: one coded error per refusal code, so
 * a new refusal that is not answered here fails to compile.
 */
import type { Refusal } from '../domain/decision.ts';
import {
  WD_ERR_ALREADY_CURRENT,
  WD_ERR_IMAGE_UNKNOWN,
  WD_ERR_NO_CURRENT_RELEASE,
  WD_ERR_NO_KNOWN_GOOD,
  WD_ERR_NO_ROLLBACK_TARGET,
  WD_ERR_NOT_GUARDING,
  WD_ERR_NOT_HELD,
  WD_ERR_RELEASE_JUDGED_BAD,
  WD_ERR_RELEASE_UNKNOWN,
  WD_ERR_RELEASE_WITHOUT_IMAGE,
  WD_ERR_ROLLBACK_IN_PROGRESS,
} from '../infra/errors.ts';

export function refusalError(target: string, refusal: Refusal): Error {
  switch (refusal.code) {
    case 'not-held':
      return new WD_ERR_NOT_HELD(target, refusal.phase);
    case 'no-rollback-target': {
      const hold = refusal.hold ? ` (${refusal.hold.kind}: ${refusal.hold.reason})` : '';
      return new WD_ERR_NO_ROLLBACK_TARGET(
        `${target} is held${hold} with no release to roll back to, so there is nothing to approve: roll back to a release you choose (POST /api/v1/targets/${target}/rollback with a version), or veto`,
      );
    }
    case 'not-guarding':
      return new WD_ERR_NOT_GUARDING(target, refusal.phase);
    case 'rollback-in-progress':
      return new WD_ERR_ROLLBACK_IN_PROGRESS(target);
    case 'no-current-release':
      return new WD_ERR_NO_CURRENT_RELEASE(target);
    case 'release-unknown':
      return new WD_ERR_RELEASE_UNKNOWN(target, refusal.version);
    case 'image-unknown':
      return new WD_ERR_IMAGE_UNKNOWN(target, refusal.imageRef);
    case 'no-known-good':
      return new WD_ERR_NO_KNOWN_GOOD(`no release of ${target} older than v${refusal.current} passed its guard; name one with version or image`);
    case 'release-judged-bad': {
      const why = refusal.reason ? `: ${refusal.reason}` : '';
      return new WD_ERR_RELEASE_JUDGED_BAD(`the image of v${refusal.version} was judged bad in v${refusal.badVersion} of ${target}${why}`);
    }
    case 'already-current':
      return new WD_ERR_ALREADY_CURRENT(target, `v${refusal.version}'s image (${refusal.imageRef})`);
    case 'no-image':
      return new WD_ERR_RELEASE_WITHOUT_IMAGE(target, refusal.version);
  }
}
