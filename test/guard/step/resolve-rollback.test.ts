import { describe, expect, it } from 'vitest';
import type { RollbackRequest } from '../../../src/guard/step/context.ts';
import { resolveRollback } from '../../../src/guard/step/resolve-rollback.ts';
import type { ReleaseView } from '../../../src/domain/target-state.ts';
import { image, release } from './fixtures.ts';

// v4 failing (current), v3 bad, v2 good, v1 good; v5 would be our own rollback to v2's image.
const history: ReleaseView[] = [
  release(4, { verdict: 'pending' }),
  release(3, { verdict: 'bad', verdictReason: 'health failed 3×' }),
  release(2, { verdict: 'good' }),
  release(1, { verdict: 'good' }),
];
const current = { version: 4, imageRef: image(4) };

describe('resolveRollback', () => {
  it.each<[string, RollbackRequest, number, boolean]>([
    ['when no version or image then the last known good before the current one', {}, 2, false],
    ['when a version then that release', { version: 1 }, 1, false],
    ['when an image then the release carrying it', { image: image(1) }, 1, false],
    ['when a bad version is forced then it, marked forced', { version: 3, force: true }, 3, true],
    ['when the current image is forced then it, marked forced', { version: 4, force: true }, 4, true],
  ])('%s', (_label, request, version, forced) => {
    expect(resolveRollback(request, history, current)).toEqual({ ok: true, to: { version, imageRef: image(version) }, forced });
  });

  it('prefers the original deploy over our own rollback release carrying the same image', () => {
    const withOwn = [release(5, { imageRef: image(2), origin: 'rollback', verdict: 'good' }), ...history];
    expect(resolveRollback({ image: image(2) }, withOwn, { version: 5, imageRef: image(9) })).toMatchObject({ ok: true, to: { version: 2 } });
  });

  it.each<[string, RollbackRequest, ReleaseView[], string]>([
    ['when the version is unknown then release-unknown', { version: 42 }, history, 'release-unknown'],
    ['when the image is unknown then image-unknown', { image: 'registry.fly.io/api:nope' }, history, 'image-unknown'],
    ['when the version was judged bad then refused', { version: 3 }, history, 'release-judged-bad'],
    ['when the image was judged bad in another release then refused', { version: 5 }, [release(5, { imageRef: image(3) }), ...history], 'release-judged-bad'],
    ['when the image is the current one then refused', { version: 4 }, history, 'already-current'],
    ['when nothing earlier is good then no known good', {}, [release(4), release(3, { verdict: 'bad' })], 'no-known-good'],
  ])('%s', (_label, request, releases, code) => {
    expect(resolveRollback(request, releases, current)).toEqual({ ok: false, refusal: expect.objectContaining({ code }) });
  });

  it('refuses when the target has no current release yet', () => {
    expect(resolveRollback({ version: 1 }, history, undefined)).toEqual({ ok: false, refusal: { code: 'no-current-release' } });
  });
});
