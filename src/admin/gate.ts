/**
 * The CI promotion gate as a pure function: may this image go on to `target`? Bad anywhere wins,
 * because an image judged bad on staging must not be promoted to production.
 */
import type { ReleaseView } from '../domain/target-state.ts';

export type GateVerdict = 'passed' | 'pending' | 'failed';

export interface GateRelease {
  target: string;
  release: ReleaseView;
}

export interface GateResult {
  verdict: GateVerdict;
  reason: string;
  /** Every release, on any target, that carries the image (newest first per target). */
  releases: { target: string; version: number; verdict: string; verdictReason?: string }[];
}

/**
 * failed: some release of any target with this image was judged bad.
 * passed: a release of `target` with this image was judged good (and none anywhere bad).
 * pending: otherwise (not deployed there yet, still guarded, or left unjudged).
 */
export function judgeGate(target: string, image: string, all: readonly GateRelease[]): GateResult {
  const matches = all.filter((m) => m.release.imageRef === image);
  const releases = matches.map(({ target: t, release: r }) => ({
    target: t,
    version: r.version,
    verdict: r.verdict,
    ...(r.verdictReason && { verdictReason: r.verdictReason }),
  }));
  const bad = matches.find((m) => m.release.verdict === 'bad');
  if (bad) {
    const why = bad.release.verdictReason ? ` (${bad.release.verdictReason})` : '';
    return { verdict: 'failed', reason: `image judged bad in v${bad.release.version} of ${bad.target}${why}`, releases };
  }
  const here = matches.filter((m) => m.target === target);
  const good = here.find((m) => m.release.verdict === 'good');
  if (good) return { verdict: 'passed', reason: `image passed its guard in v${good.release.version} of ${target}`, releases };
  const newest = here[0]?.release;
  const reason = newest ? `v${newest.version} of ${target} carries the image and is ${newest.verdict}` : `image not deployed to ${target} yet`;
  return { verdict: 'pending', reason, releases };
}
