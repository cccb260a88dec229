/**
 * `fly releases --app A --json`: an array of fly-go `Release` structs, PascalCase keys in struct
 * order (fly-facts §1). Only the fields the watchdog uses are validated; unknown keys are ignored
 * so a newer flyctl that adds fields keeps working.
 */
import { z } from 'zod';
import type { Release } from '../../domain/release.ts';
import { parseJsonOutput } from './parse-output.ts';

export const FlyRelease = z.object({
  Version: z.number().int().nonnegative(),
  Status: z.string(),
  Description: z.string().nullish(),
  // Go marshals time.Time as RFC3339 with up to 9 fractional digits.
  CreatedAt: z.iso.datetime({ offset: true }),
  // fly-go Release.ImageRef is a plain string and may be "": such a release is kept (the list is
  // still true) with imageRef '', which names no build and so is never a rollback target.
  ImageRef: z.string(),
  // fly-go embeds User by value, but tolerate null in case a token-created release has none.
  User: z.object({ Email: z.string().nullish() }).nullish(),
});
export type FlyRelease = z.infer<typeof FlyRelease>;

// An empty app prints `[]`; some flyctl versions print `null` for a nil slice.
export const FlyReleases = z.array(FlyRelease).nullable();

/** Parses `fly releases --json` stdout into domain releases, newest (highest version) first. */
export function parseReleases(stdout: string): Release[] {
  const releases = parseJsonOutput('fly releases --json', stdout, FlyReleases) ?? [];
  // flyctl already orders by version; sorting makes "newest first" our guarantee, not theirs.
  return releases.map(toRelease).sort((a, b) => b.version - a.version);
}

export function toRelease(r: FlyRelease): Release {
  return {
    version: r.Version,
    imageRef: r.ImageRef,
    status: r.Status,
    createdAt: Date.parse(r.CreatedAt),
    user: r.User?.Email ?? '',
    description: r.Description ?? '',
  };
}
