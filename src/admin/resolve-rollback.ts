/**
 * Turns an operator's rollback request into the release to return to. Pure: the route passes the
 * target's releases and current release in, and every refusal comes back as a coded error.
 */
import {
  WD_ERR_ALREADY_CURRENT,
  WD_ERR_IMAGE_UNKNOWN,
  WD_ERR_NO_CURRENT_RELEASE,
  WD_ERR_NO_KNOWN_GOOD,
  WD_ERR_RELEASE_JUDGED_BAD,
  WD_ERR_RELEASE_UNKNOWN,
} from '../infra/errors.ts';
import { chooseRollbackRelease } from '../guard/choose-release.ts';
import type { ReleaseRef, ReleaseView } from '../domain/target-state.ts';

export interface RollbackRequest {
  version?: number | undefined;
  image?: string | undefined;
  force?: boolean | undefined;
}

export interface RollbackChoice {
  to: ReleaseRef;
  /** True when `force` overrode a refusal (bad image, or the image already running). */
  forced: boolean;
}

/**
 * `version` picks that release; `image` the newest release carrying it (a deploy rather than one of
 * our own rollback releases, whose original carries the verdict); neither picks the release the
 * guard itself would choose: the newest good deploy older than `current`, never a bad image.
 * @throws WD_ERR_RELEASE_UNKNOWN, WD_ERR_IMAGE_UNKNOWN (404), WD_ERR_NO_CURRENT_RELEASE, WD_ERR_NO_KNOWN_GOOD,
 *   WD_ERR_RELEASE_JUDGED_BAD, WD_ERR_ALREADY_CURRENT (409; the last two unless `force`)
 */
export function resolveRollback(
  target: string,
  request: RollbackRequest,
  releases: readonly ReleaseView[],
  current: ReleaseRef | undefined,
): RollbackChoice {
  if (!current) throw new WD_ERR_NO_CURRENT_RELEASE(target);
  const chosen = pick(target, request, releases, current);
  const judgedBad = releases.find((r) => r.imageRef === chosen.imageRef && r.verdict === 'bad');
  const alreadyCurrent = current.imageRef === chosen.imageRef;
  if (!request.force) {
    if (judgedBad) {
      const why = judgedBad.verdictReason ? `: ${judgedBad.verdictReason}` : '';
      throw new WD_ERR_RELEASE_JUDGED_BAD(`the image of v${chosen.version} was judged bad in v${judgedBad.version} of ${target}${why}`);
    }
    if (alreadyCurrent) throw new WD_ERR_ALREADY_CURRENT(target, `v${chosen.version}'s image (${chosen.imageRef})`);
  }
  return { to: { version: chosen.version, imageRef: chosen.imageRef }, forced: judgedBad !== undefined || alreadyCurrent };
}

function pick(target: string, request: RollbackRequest, releases: readonly ReleaseView[], current: ReleaseRef): ReleaseView {
  if (request.version !== undefined) {
    const found = releases.find((r) => r.version === request.version);
    if (!found) throw new WD_ERR_RELEASE_UNKNOWN(target, request.version);
    return found;
  }
  if (request.image !== undefined) {
    const carrying = releases
      .filter((r) => r.imageRef === request.image)
      .sort((a, b) => Number(a.origin === 'rollback') - Number(b.origin === 'rollback') || b.version - a.version);
    if (!carrying[0]) throw new WD_ERR_IMAGE_UNKNOWN(target, request.image);
    return carrying[0];
  }
  const good = chooseRollbackRelease(releases, current);
  if (!good) {
    throw new WD_ERR_NO_KNOWN_GOOD(`no release of ${target} older than v${current.version} passed its guard; name one with version or image`);
  }
  return good;
}
