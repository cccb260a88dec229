import { describe, expect, it } from 'vitest';
import { planBalance } from '../../src/ha/balance.ts';

const quiet = () => true;

describe('planBalance', () => {
  it('aims at ceil(shards / live replicas), so every shard is covered', () => {
    expect(planBalance({ shards: 30, liveReplicas: 3, owned: [], isQuiet: quiet })).toEqual({ fairShare: 10, acquire: 10, release: [] });
    expect(planBalance({ shards: 31, liveReplicas: 3, owned: [], isQuiet: quiet }).fairShare).toBe(11);
    expect(planBalance({ shards: 5, liveReplicas: 0, owned: [], isQuiet: quiet }).fairShare).toBe(5);
  });

  it('gives back only the excess, and only quiet shards, the same ones on every run', () => {
    const owned = ['a', 'b', 'c', 'd'];
    expect(planBalance({ shards: 4, liveReplicas: 2, owned, isQuiet: quiet })).toEqual({ fairShare: 2, acquire: 0, release: ['c', 'd'] });
    // A shard mid-rollback stays put: it moves in a later round, once quiet.
    expect(planBalance({ shards: 4, liveReplicas: 2, owned, isQuiet: (s) => s !== 'd' }).release).toEqual(['b', 'c']);
    expect(planBalance({ shards: 4, liveReplicas: 2, owned, isQuiet: () => false }).release).toEqual([]);
  });

  it('holding exactly the fair share is stable', () => {
    expect(planBalance({ shards: 30, liveReplicas: 3, owned: Array.from({ length: 10 }, (_, i) => `t${i}`), isQuiet: quiet })).toEqual({ fairShare: 10, acquire: 0, release: [] });
  });
});
