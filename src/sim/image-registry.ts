/**
 * The fake registry.fly.io. Every push is a new build with its own digest, also a push of a tag
 * that exists (flyctl `--image-label` names the tag, imgsrc/docker.go NewDeploymentTag, so CI can
 * reuse one): the tag then points at the new build, and the old build stays reachable by digest,
 * as machines still running it report it (image_ref.digest). `fly deploy --image` hands its
 * reference to Fly unparsed (imgsrc/remote_image_resolver.go → fly-go ResolveImageForApp), so a
 * tag or a `name@sha256:…` reference both resolve here.
 */
import { deploymentImageRef, imageDigest, imageId, ulid } from './ids.ts';
import { parseProfile } from './profile.ts';
import type { Rng } from './prng.ts';
import type { SimImage } from './sim-types.ts';

export interface PushOptions {
  /** Register this exact reference (e.g. a reused label) instead of minting a deployment tag. */
  ref?: string;
  /** `registry.fly.io/<app>:<label>`, as `--image-label` makes it. */
  label?: string;
  releaseCommandFails?: boolean;
}

export class ImageRegistry {
  readonly #byRef = new Map<string, SimImage>();
  readonly #byDigest = new Map<string, SimImage>();
  readonly #pushes = new Map<string, number>();
  readonly #now: () => number;
  readonly #rng: Rng;

  constructor(now: () => number, rng: Rng) {
    this.#now = now;
    this.#rng = rng;
  }

  push(app: string, profileSpec: string, opts: PushOptions = {}): SimImage {
    const profile = parseProfile(profileSpec);
    const ref = opts.ref ?? (opts.label ? `registry.fly.io/${app}:${opts.label}` : deploymentImageRef(app, ulid(this.#now(), this.#rng)));
    const push = (this.#pushes.get(ref) ?? 0) + 1;
    this.#pushes.set(ref, push);
    // The first push keeps the digest derived from the reference alone, as before tags were reused.
    const digest = imageDigest(push === 1 ? ref : `${ref}#${push}`);
    const image: SimImage = {
      ref,
      id: imageId(push === 1 ? ref : `${ref}#${push}`),
      digest,
      releaseCommandFails: opts.releaseCommandFails ?? false,
      profileSpec,
      profile,
      pushedAt: this.#now(),
    };
    this.#byRef.set(ref, image);
    this.#byDigest.set(digest, image);
    return image;
  }

  /** The build a reference names now: a tag's latest push, or exactly the build of `name@digest`. */
  resolve(ref: string): SimImage | undefined {
    const at = ref.lastIndexOf('@');
    if (at === -1) return this.#byRef.get(ref);
    const image = this.#byDigest.get(ref.slice(at + 1));
    // The repository must match too: a digest of another app's image is not in this repository.
    const name = ref.slice(0, at).replace(/:[^/:]*$/, '');
    return image && image.ref.replace(/:[^/:]*$/, '') === name ? image : undefined;
  }

  byDigest(digest: string): SimImage | undefined {
    return this.#byDigest.get(digest);
  }

  /** The latest build of every reference. */
  all(): SimImage[] {
    return [...this.#byRef.values()];
  }
}
