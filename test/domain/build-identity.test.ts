import { describe, expect, it } from 'vitest';
import { digestInRef, imageRefByDigest, sameBuild } from '../../src/domain/build-identity.ts';

const D1 = `sha256:${'a'.repeat(64)}`;
const D2 = `sha256:${'b'.repeat(64)}`;
const TAG = 'registry.fly.io/api:v1';

describe('sameBuild', () => {
  it.each([
    ['one tag, two digests (a reused --image-label)', { imageRef: TAG, imageDigest: D1 }, { imageRef: TAG, imageDigest: D2 }, false],
    ['two tags, one digest', { imageRef: TAG, imageDigest: D1 }, { imageRef: 'registry.fly.io/api:deployment-X', imageDigest: D1 }, true],
    ['one tag, a digest known on one side only', { imageRef: TAG, imageDigest: D1 }, { imageRef: TAG }, true],
    ['a digest reference and a tag with that digest', { imageRef: `registry.fly.io/api@${D1}` }, { imageRef: TAG, imageDigest: D1 }, true],
    ['a digest reference and a tag with another', { imageRef: `registry.fly.io/api@${D1}` }, { imageRef: TAG, imageDigest: D2 }, false],
    ['two refs, no digests', { imageRef: TAG }, { imageRef: 'registry.fly.io/api:v2' }, false],
    ['an empty ref (Fly recorded no image) and itself', { imageRef: '' }, { imageRef: '' }, false],
  ])('%s → %s', (_what, a, b, same) => {
    expect(sameBuild(a, b)).toBe(same);
    expect(sameBuild(b, a)).toBe(same);
  });
});

describe('imageRefByDigest', () => {
  it.each([
    [TAG, `registry.fly.io/api@${D1}`],
    [`registry.fly.io/api:v1@${D2}`, `registry.fly.io/api@${D1}`],
    ['localhost:5000/team/api:v1', `localhost:5000/team/api@${D1}`],
    ['localhost:5000/team/api', `localhost:5000/team/api@${D1}`],
  ])('%s → %s', (ref, expected) => {
    expect(imageRefByDigest(ref, D1)).toBe(expected);
    expect(digestInRef(expected)).toBe(D1);
  });

  it('refuses what is not a digest', () => {
    expect(() => imageRefByDigest(TAG, 'latest')).toThrow(RangeError);
  });
});
