import { describe, expect, it } from 'vitest';
import { flyAuthorization, flyTokenForms, stripAuthorizationScheme } from '../../../src/platform/fly/authorization.ts';

describe('flyAuthorization (fly-go tokens/tokens.go)', () => {
  it.each([
    ['a `fly auth token` token', 'fo1_abc', 'Bearer fo1_abc'],
    ['a bare macaroon', 'fm2_abc', 'FlyV1 fm2_abc'],
    ['an fm1r macaroon', 'fm1r_abc', 'FlyV1 fm1r_abc'],
    ['an fm1a macaroon', 'fm1a_abc', 'FlyV1 fm1a_abc'],
    ['`fly tokens create` output, scheme included', 'FlyV1 fm2_abc,fm2_def', 'FlyV1 fm2_abc,fm2_def'],
    ['a scheme in another case', 'flyv1 fm2_abc', 'FlyV1 fm2_abc'],
    ['a macaroon pasted with Bearer', 'Bearer fm2_abc', 'FlyV1 fm2_abc'],
    ['a scheme twice', 'FlyV1 FlyV1 fm2_abc', 'FlyV1 fm2_abc'],
    ['a Bearer token with its scheme', 'bearer fo1_abc', 'Bearer fo1_abc'],
    ['spaces around the parts', '  FlyV1  fm2_abc , fm2_def \n', 'FlyV1 fm2_abc,fm2_def'],
    ['macaroons beside a user token (the user token is dropped, as FlapsHeader does)', 'fm2_abc,fo1_user', 'FlyV1 fm2_abc'],
  ])('%s', (_what, token, header) => {
    expect(flyAuthorization(token)).toBe(header);
  });

  it('leaves a word that is not a scheme alone', () => {
    expect(stripAuthorizationScheme('Token fm2_abc')).toBe('Token fm2_abc');
  });

  it('lists every form of the token to mask', () => {
    expect(flyTokenForms('FlyV1 fm2_abc123,fm2_def456 ')).toEqual(
      expect.arrayContaining(['FlyV1 fm2_abc123,fm2_def456 ', 'FlyV1 fm2_abc123,fm2_def456', 'fm2_abc123,fm2_def456', 'fm2_abc123', 'fm2_def456']),
    );
  });
});
