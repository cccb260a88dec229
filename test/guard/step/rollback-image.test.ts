import { describe, expect, it } from 'vitest';
import { rollbackImage } from '../../../src/guard/step/rollback-image.ts';
import { release } from './fixtures.ts';

const sha = (c: string) => `sha256:${c.repeat(64)}`;
const tag = 'registry.fly.io/api:v1';

describe('rollbackImage', () => {
  it('deploys the tag Fly recorded while it still names the build that passed', () => {
    expect(rollbackImage({ version: 1, imageRef: tag, imageDigest: sha('a') }, [release(1, { imageRef: tag, imageDigest: sha('a') })])).toBe(tag);
    expect(rollbackImage({ version: 1, imageRef: tag }, [release(2, { imageRef: tag, imageDigest: sha('b') })])).toBe(tag); // no digest known: the tag is all there is
  });

  it('deploys by digest once the tag was reused for another build (--image-label)', () => {
    const history = [release(2, { imageRef: tag, imageDigest: sha('b') }), release(1, { imageRef: tag, imageDigest: sha('a') })];
    expect(rollbackImage({ version: 1, imageRef: tag, imageDigest: sha('a') }, history)).toBe(`registry.fly.io/api@${sha('a')}`);
  });
});
