import { describe, expect, it } from 'vitest';
import { chooseRollbackRelease } from '../../../src/guard/step/choose-release.ts';
import { image, release } from './fixtures.ts';

describe('chooseRollbackRelease', () => {
  const failing = { version: 5, imageRef: image(5) };

  it('picks the newest earlier release that passed its guard', () => {
    const history = [release(5), release(4, { verdict: 'good' }), release(3, { verdict: 'good' })];
    expect(chooseRollbackRelease(history, failing)?.version).toBe(4);
  });

  it.each([
    ['bad', { verdict: 'bad' as const }],
    ['never judged', { verdict: 'unknown' as const }],
    ['still pending', { verdict: 'pending' as const }],
    ['the watchdog’s own rollback release', { verdict: 'good' as const, origin: 'rollback' as const }],
    ['a release the platform did not finish', { verdict: 'good' as const, status: 'failed' }],
    ['running the failing image', { verdict: 'good' as const, imageRef: image(5) }],
  ])('when the previous release is %s then it goes further back', (_label, over) => {
    const history = [release(5), release(4, over), release(3, { verdict: 'good' })];
    expect(chooseRollbackRelease(history, failing)?.version).toBe(3);
  });

  it('skips a good release whose image was judged bad in another release', () => {
    const history = [
      release(5),
      release(4, { verdict: 'bad', imageRef: image(2) }),
      release(3, { verdict: 'good' }),
      release(2, { verdict: 'good' }),
    ];
    expect(chooseRollbackRelease(history, failing)?.version).toBe(3);
    const worse = [release(5), release(4, { verdict: 'bad', imageRef: image(3) }), release(3, { verdict: 'good' })];
    expect(chooseRollbackRelease(worse, failing)).toBeUndefined();
  });

  it('never goes forward, and returns nothing when no known-good release exists', () => {
    const history = [release(6, { verdict: 'good' }), release(5), release(4, { verdict: 'unknown' })];
    expect(chooseRollbackRelease(history, failing)).toBeUndefined();
  });

  it('skips a release Fly recorded no image for: there is nothing to redeploy', () => {
    const history = [release(5), release(4, { verdict: 'good', imageRef: '' }), release(3, { verdict: 'good' })];
    expect(chooseRollbackRelease(history, failing)?.version).toBe(3);
  });

  it('compares builds by digest where known: a reused tag is not the bad build, a retagged bad build is', () => {
    const sha = (c: string) => `sha256:${c.repeat(64)}`;
    const reusedTag = [release(5), release(4, { verdict: 'bad', imageRef: image(3), imageDigest: sha('b') }), release(3, { verdict: 'good', imageDigest: sha('a') })];
    expect(chooseRollbackRelease(reusedTag, failing)?.version).toBe(3);
    const retagged = [release(5), release(4, { verdict: 'bad', imageDigest: sha('a') }), release(3, { verdict: 'good', imageDigest: sha('a') }), release(2, { verdict: 'good' })];
    expect(chooseRollbackRelease(retagged, failing)?.version).toBe(2);
  });
});
