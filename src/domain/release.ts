/** A release as the platform reports it: the unit the watchdog guards, judges and rolls back to. */

/** Release lifecycle as flyctl reports it (`running` while deploying, then a terminal status). */
export type ReleaseStatus = 'pending' | 'running' | 'complete' | 'failed' | 'interrupted' | (string & {});

export interface Release {
  version: number;
  /**
   * The image deployed, as `fly releases` reports it (a tag: registry.fly.io/app:deployment-…).
   * '' when Fly recorded none (fly-go's Release.ImageRef may be empty): such a release names no
   * build, so it is never a rollback target, and never the same build as another (see sameBuild).
   */
  imageRef: string;
  /**
   * `sha256:…` of the build, when the app's machines of this release version reported one. Tags
   * can be reused (`--image-label`): the digest, not the tag, is the identity of a build.
   */
  imageDigest?: string;
  status: ReleaseStatus;
  /** Epoch milliseconds. */
  createdAt: number;
  /** E-mail of the user (or token) that created it. */
  user: string;
  description: string;
}
