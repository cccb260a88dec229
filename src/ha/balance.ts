/**
 * How many shards a replica should hold, and which to hand back when it holds too many. Pure, so
 * the sharing rule is tested on its own: every replica aims at ceil(shards / live replicas), which
 * covers every shard with no replica more than one above another.
 */
export interface BalanceInput {
  shards: number;
  liveReplicas: number;
  owned: readonly string[];
  /** Shards that may change hands now (no rollback or verification in flight). */
  isQuiet: (shard: string) => boolean;
}

export interface BalancePlan {
  fairShare: number;
  /** How many more shards to try to take this round. */
  acquire: number;
  /** Shards to give back this round (only quiet ones; busy ones wait for a later round). */
  release: string[];
}

export function planBalance({ shards, liveReplicas, owned, isQuiet }: BalanceInput): BalancePlan {
  const fairShare = Math.ceil(shards / Math.max(1, liveReplicas));
  const acquire = Math.max(0, fairShare - owned.length);
  const excess = owned.length - fairShare;
  // Newest-sorted names last: a stable choice, so the same shards move on every replica's run.
  const release = excess > 0 ? [...owned].filter(isQuiet).sort().slice(-excess) : [];
  return { fairShare, acquire, release };
}
