import { describe, expect, it } from 'vitest';
import { DEPLOYMENT_TAG, deploymentImageRef, imageDigest, imageId, machineId, splitImageRef, ulid } from '../../src/sim/ids.ts';
import { mulberry32 } from '../../src/sim/prng.ts';

describe('ulid', () => {
  it('is 26 Crockford base32 characters with the time first', () => {
    const id = ulid(Date.UTC(2025, 7, 12), mulberry32(1));
    expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    // Later times sort later: the 10-character time prefix is big-endian.
    expect(ulid(Date.UTC(2025, 7, 13), mulberry32(1)).slice(0, 10) > id.slice(0, 10)).toBe(true);
  });

  it('encodes time zero as ten zeros', () => {
    expect(ulid(0, mulberry32(1)).slice(0, 10)).toBe('0000000000');
  });
});

describe('deploymentImageRef', () => {
  it('builds registry.fly.io/<app>:deployment-<ULID>', () => {
    const ref = deploymentImageRef('my-app', ulid(Date.now(), mulberry32(3)));
    expect(ref).toMatch(/^registry\.fly\.io\/my-app:deployment-[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(ref.split(':')[1]).toMatch(DEPLOYMENT_TAG);
  });
});

describe('machine and image ids', () => {
  it('machine ids are 14 lowercase hex characters', () => {
    expect(machineId(mulberry32(5))).toMatch(/^[0-9a-f]{14}$/);
  });

  it('image ids and digests are stable per reference', () => {
    expect(imageId('registry.fly.io/a:deployment-X')).toBe(imageId('registry.fly.io/a:deployment-X'));
    expect(imageId('registry.fly.io/a:deployment-X')).toMatch(/^img_[0-9a-z]{16}$/);
    expect(imageDigest('r')).toMatch(/^sha256:[0-9a-f]{64}$/);
  });
});

describe('splitImageRef', () => {
  it.each([
    ['registry.fly.io/api:deployment-01J', { registry: 'registry.fly.io', repository: 'api', tag: 'deployment-01J' }],
    ['nginx', { registry: 'docker.io', repository: 'nginx', tag: 'latest' }],
    ['localhost:5000/team/app:v2', { registry: 'localhost:5000', repository: 'team/app', tag: 'v2' }],
  ])('splits %s', (ref, expected) => {
    expect(splitImageRef(ref)).toEqual(expected);
  });
});
