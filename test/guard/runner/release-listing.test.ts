import { describe, expect, it } from 'vitest';
import { isSettled, mustListReleases, type ReleaseListing } from '../../../src/guard/runner/release-listing.ts';
import type { TargetPhase } from '../../../src/domain/target-state.ts';
import type { Release } from '../../../src/domain/release.ts';

const RELIST = 600_000;
const listing = (over: Partial<ReleaseListing> = {}): ReleaseListing => ({ fingerprint: 'm1 v3', listedAt: 1_000, settled: true, ...over });
const ask = (last: ReleaseListing | undefined, fingerprint: string | undefined, now: number, phase: TargetPhase = 'stable') =>
  mustListReleases({ last, fingerprint, phase, now, relistAfterMs: RELIST });
const release = (version: number, status: string): Release => ({ version, status, imageRef: `img:${version}`, createdAt: 0, user: '', description: '' });

describe('mustListReleases', () => {
  it('skips the listing only when a settled, recent listing saw the same fingerprint', () => {
    expect(ask(listing(), 'm1 v3', 2_000)).toBe(false);
    expect(ask(listing(), 'm1 v3', 2_000, 'guarding')).toBe(false);
  });

  it.each([
    ['nothing was listed yet', undefined, 'm1 v3', 2_000],
    ['the platform gives no fingerprint now', listing(), undefined, 2_000],
    ['the last listing had no fingerprint', listing({ fingerprint: undefined }), 'm1 v3', 2_000],
    ['the fingerprint changed', listing(), 'm1 v4', 2_000],
    ['a release was still deploying', listing({ settled: false }), 'm1 v3', 2_000],
    ['the listing is as old as relistAfter', listing(), 'm1 v3', 1_000 + RELIST],
  ])('lists when %s', (_why, last, fingerprint, now) => {
    expect(ask(last, fingerprint, now)).toBe(true);
  });

  it.each(['failing', 'rolling-back', 'verifying'] as const)('lists on every poll while %s: recovery and the rollback release read the list', (phase) => {
    expect(ask(listing(), 'm1 v3', 2_000, phase)).toBe(true);
  });
});

describe('isSettled', () => {
  it('is true when every release has a final status', () => {
    expect(isSettled([release(3, 'complete'), release(2, 'failed'), release(1, 'interrupted')])).toBe(true);
    expect(isSettled([])).toBe(true);
  });

  it.each(['running', 'pending', 'something-new'])('is false while a release is %s (an unknown status may still move)', (status) => {
    expect(isSettled([release(4, status), release(3, 'complete')])).toBe(false);
  });
});
