/**
 * `fly deploy` with FLY_EMIT_RELEASE_JSON=1 prints, on success, one compact JSON line
 * `{"id":"…","version":N,"image_ref":"…"}` among its human-readable stdout (fly-facts §2, flyctl
 * PR #4930). Older flyctl versions print no such line; that is not an error.
 */
import { z } from 'zod';
import { invalidOutput, validate } from './parse-output.ts';

export const FlyReleaseLine = z.object({
  id: z.string().min(1),
  version: z.number().int().nonnegative(),
  image_ref: z.string().min(1),
});

export interface DeployedRelease {
  id: string;
  version: number;
  imageRef: string;
}

const WHAT = 'fly deploy release JSON';

/**
 * The release announced in deploy stdout, or undefined when flyctl printed none. A line that looks
 * like the release JSON (an object mentioning `image_ref`) but does not validate throws
 * WD_ERR_PLATFORM_OUTPUT_INVALID rather than being skipped: silently losing the version would hide
 * a flyctl format change.
 */
export function parseDeployOutput(stdout: string): DeployedRelease | undefined {
  const line = stdout
    .split('\n')
    .map((l) => l.trim())
    .findLast((l) => l.startsWith('{') && l.endsWith('}') && l.includes('"image_ref"'));
  if (line === undefined) return undefined;
  let data: unknown;
  try {
    data = JSON.parse(line);
  } catch {
    throw invalidOutput(WHAT, `not JSON: ${line.slice(0, 80)}`);
  }
  const release = validate(WHAT, data, FlyReleaseLine);
  return { id: release.id, version: release.version, imageRef: release.image_ref };
}
