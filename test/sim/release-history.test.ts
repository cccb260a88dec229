import { describe, expect, it } from 'vitest';
import { addRelease, nextVersion, RELEASE_HISTORY_LIMIT, rollMachines, updateRelease } from '../../src/sim/release-history.ts';
import { machine, release } from './format/fixtures.ts';

describe('release history', () => {
  it('keeps the newest first and at most 25', () => {
    let history = [release(1)];
    for (let v = 2; v <= 30; v++) history = addRelease(history, release(v));
    expect(history).toHaveLength(RELEASE_HISTORY_LIMIT);
    expect(history[0]?.version).toBe(30);
    expect(history.at(-1)?.version).toBe(6);
    expect(nextVersion(history)).toBe(31);
  });

  it('starts at v1', () => {
    expect(nextVersion([])).toBe(1);
  });

  it('updates one release by id without touching the others', () => {
    const history = updateRelease([release(2, { status: 'running' }), release(1)], 'rel2', { status: 'complete' });
    expect(history.map((r) => r.status)).toEqual(['complete', 'complete']);
  });

  it('rolls every machine onto the release with a new instance', () => {
    let n = 0;
    const rolled = rollMachines([machine('a'), machine('b')], release(4), 999, () => `inst${++n}`);
    expect(rolled.map((m) => [m.imageRef, m.releaseVersion, m.instanceId, m.updatedAt])).toEqual([
      [release(4).imageRef, 4, 'inst1', 999],
      [release(4).imageRef, 4, 'inst2', 999],
    ]);
  });
});
