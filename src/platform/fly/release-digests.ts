/**
 * What `fly releases` cannot say: the digest of each release's build. A release's ImageRef is the
 * tag deployed (fly-go Release.ImageRef), and tags can be reused (`--image-label`); a machine's
 * `image_ref.digest` names the build it runs. So whenever the watchdog reads an app's machines
 * (`fly status`, the Machines API), the digest each release version runs is remembered, and
 * releases listed later carry it. A version's build never changes once deployed, so what was
 * seen stays true; only the newest versions of each app are kept.
 */
import type { Release } from '../../domain/release.ts';
import type { MachineStatus } from '../types.ts';

/** Versions remembered per app: `fly releases` lists the last 25. */
const VERSIONS_KEPT = 50;

export class ReleaseDigests {
  readonly #byApp = new Map<string, Map<number, string>>();

  /** Remembers the digest of each release version the machines run. */
  record(app: string, machines: readonly MachineStatus[]): void {
    let versions = this.#byApp.get(app);
    for (const m of machines) {
      if (m.releaseVersion === undefined || !m.imageDigest) continue;
      versions ??= new Map();
      this.#byApp.set(app, versions);
      versions.set(m.releaseVersion, m.imageDigest);
    }
    if (versions && versions.size > VERSIONS_KEPT) {
      const oldest = [...versions.keys()].sort((a, b) => a - b).slice(0, versions.size - VERSIONS_KEPT);
      for (const v of oldest) versions.delete(v);
    }
  }

  /** The releases, each with `imageDigest` where its machines were seen running one. */
  attach(app: string, releases: readonly Release[]): Release[] {
    const versions = this.#byApp.get(app);
    return releases.map((r) => {
      const digest = r.imageRef === '' ? undefined : versions?.get(r.version);
      return digest ? { ...r, imageDigest: digest } : r;
    });
  }
}
