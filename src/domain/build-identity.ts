/**
 * Which build a release or machine runs. Fly records the tag deployed (`fly releases` ImageRef),
 * machines report the digest too (image_ref.digest), and tags can be reused (`--image-label`):
 * two releases of one tag may be two builds, so the digest is the identity of a build.
 */

export interface BuildRef {
  /** `registry.fly.io/app:tag`, or `registry.fly.io/app@sha256:…`; '' when unknown. */
  imageRef: string;
  /** `sha256:…`, when known. */
  imageDigest?: string | undefined;
}

const DIGEST = /^[a-z0-9]+(?:[+._-][a-z0-9]+)*:[A-Fa-f0-9]{32,}$/;

/** The digest a reference pins (`…@sha256:…`), if any. */
export function digestInRef(imageRef: string): string | undefined {
  const at = imageRef.lastIndexOf('@');
  const digest = at === -1 ? '' : imageRef.slice(at + 1);
  return DIGEST.test(digest) ? digest : undefined;
}

/**
 * True when both name the same build: by digest where both digests are known (from the machines,
 * or pinned in the reference), else by reference. An empty reference names no build: never the
 * same as anything, itself included.
 */
export function sameBuild(a: BuildRef, b: BuildRef): boolean {
  const da = a.imageDigest || digestInRef(a.imageRef);
  const db = b.imageDigest || digestInRef(b.imageRef);
  if (da && db) return da === db;
  if (a.imageRef === '' || b.imageRef === '') return false;
  return a.imageRef === b.imageRef;
}

/**
 * The reference that deploys exactly this build, whatever its tag points to now:
 * `registry.fly.io/app@sha256:…` (tag and any old digest dropped). `fly deploy --image` hands the
 * reference to Fly unparsed (flyctl internal/build/imgsrc/remote_image_resolver.go →
 * fly-go ResolveImageForApp), and a name@digest reference is standard OCI.
 */
export function imageRefByDigest(imageRef: string, digest: string): string {
  if (!DIGEST.test(digest)) throw new RangeError(`not an image digest: ${JSON.stringify(digest.slice(0, 80))}`);
  const at = imageRef.indexOf('@');
  const name = at === -1 ? imageRef : imageRef.slice(0, at);
  const slash = name.lastIndexOf('/');
  const colon = name.lastIndexOf(':');
  // A colon after the last slash starts a tag; one before it belongs to a registry's port.
  const repository = colon > slash ? name.slice(0, colon) : name;
  if (repository === '') throw new RangeError('an image reference is needed to deploy by digest');
  return `${repository}@${digest}`;
}
