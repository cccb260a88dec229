/**
 * Turns an operator's rollback request into the release to return to, or the reason it cannot be
 * done. Pure: the target's releases and current release in, a choice or a coded refusal out.
 */
import { sameBuild } from '../../domain/build-identity.ts';
import type { Refusal } from '../../domain/decision.ts';
import type { ReleaseRef, ReleaseView } from '../../domain/target-state.ts';
import { chooseRollbackRelease } from './choose-release.ts';
import type { RollbackRequest } from './context.ts';

export type RollbackChoice =
  | {
      ok: true;
      to: ReleaseRef;
      /** True when `force` overrode a refusal (bad image, or the image already running). */
      forced: boolean;
    }
  | { ok: false; refusal: Refusal };

/**
 * `version` picks that release; `image` the newest release carrying it (a deploy rather than one of
 * our own rollback releases, whose original carries the verdict); neither picks the release the
 * guard itself would choose: the newest good deploy older than `current`, never a bad image.
 * Without `force`, an image judged bad and the image already running are refused.
 */
export function resolveRollback(request: RollbackRequest, releases: readonly ReleaseView[], current: ReleaseRef | undefined): RollbackChoice {
  if (!current) return { ok: false, refusal: { code: 'no-current-release' } };
  const chosen = pick(request, releases, current);
  if ('code' in chosen) return { ok: false, refusal: chosen };
  if (chosen.imageRef === '') return { ok: false, refusal: { code: 'no-image', version: chosen.version } };
  const judgedBad = releases.find((r) => r.verdict === 'bad' && sameBuild(r, chosen));
  const alreadyCurrent = sameBuild(current, chosen);
  if (!request.force) {
    if (judgedBad) {
      return { ok: false, refusal: { code: 'release-judged-bad', version: chosen.version, badVersion: judgedBad.version, ...(judgedBad.verdictReason && { reason: judgedBad.verdictReason }) } };
    }
    if (alreadyCurrent) return { ok: false, refusal: { code: 'already-current', version: chosen.version, imageRef: chosen.imageRef } };
  }
  return { ok: true, to: { version: chosen.version, imageRef: chosen.imageRef }, forced: judgedBad !== undefined || alreadyCurrent };
}

function pick(request: RollbackRequest, releases: readonly ReleaseView[], current: ReleaseRef): ReleaseView | Refusal {
  if (request.version !== undefined) {
    return releases.find((r) => r.version === request.version) ?? { code: 'release-unknown', version: request.version };
  }
  if (request.image !== undefined) {
    const carrying = releases
      .filter((r) => r.imageRef === request.image)
      .sort((a, b) => Number(a.origin === 'rollback') - Number(b.origin === 'rollback') || b.version - a.version);
    return carrying[0] ?? { code: 'image-unknown', imageRef: request.image };
  }
  return chooseRollbackRelease(releases, current) ?? { code: 'no-known-good', current: current.version };
}
