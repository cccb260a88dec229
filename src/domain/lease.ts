/** Ownership of a shard by one replica (docs/ha.md). */

/** Proof of ownership, checked by the store inside every guard transition (fencing token). */
export interface LeaseFence {
  shard: string;
  owner: string;
  /** Increases every time the shard changes hands (or its lease lapsed and was taken again). */
  epoch: number;
}
