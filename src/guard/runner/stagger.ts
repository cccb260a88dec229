/**
 * Where in the probe interval target `index` of `count` starts its rounds: spread evenly over the
 * interval, but in slots of up to TARGETS_PER_SLOT targets that start together and so share one
 * event-loop wakeup. A wakeup has a fixed cost (timers, epoll, microtasks) that outweighs a small
 * probe round, so fewer, fuller slots cost less CPU (measured in `npm run bench:scale`, see
 * docs/benchmarks.md). The cap keeps a slot's burst of requests bounded as the fleet grows.
 */
export const TARGETS_PER_SLOT = 20;
/** Slots never come closer than this, however many targets there are. */
export const MIN_SLOT_MS = 50;

export function staggerOffset(index: number, count: number, intervalMs: number): number {
  const slots = Math.max(1, Math.min(Math.floor(intervalMs / MIN_SLOT_MS), Math.ceil(count / TARGETS_PER_SLOT)));
  return Math.floor((index * slots) / count) * Math.floor(intervalMs / slots);
}
