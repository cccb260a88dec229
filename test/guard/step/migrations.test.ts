import { describe, expect, it } from 'vitest';
import { migrationCrossing } from '../../../src/guard/step/migrations.ts';
import { image, release } from './fixtures.ts';

const from = { version: 3, imageRef: image(3) };
const to = { version: 2, imageRef: image(2) };

describe('migrationCrossing', () => {
  it.each([
    ['the failing release runs on a newer migration', 1709553600001, 1709553600000, /v3 runs on database migration 1709553600001, newer than v2's 1709553600000/],
    ['the failing release was never recorded', undefined, 1709553600000, /migration state of v3 was not recorded/],
    ['the target release was never recorded', 1709553600000, undefined, /migration state of v2 was not recorded/],
  ])('when %s then crossing', (_label, fromMarker, toMarker, reason) => {
    const history = [release(3, { ...(fromMarker !== undefined && { migrationMarker: fromMarker }) }), release(2, { ...(toMarker !== undefined && { migrationMarker: toMarker }) })];
    expect(migrationCrossing(history, from, to)).toMatch(reason);
  });

  it('when both run on the same migration then not crossing', () => {
    const history = [release(3, { migrationMarker: 7 }), release(2, { migrationMarker: 7 })];
    expect(migrationCrossing(history, from, to)).toBeUndefined();
  });
});
