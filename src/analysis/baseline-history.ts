/**
 * The remembered baseline: the stable release's traffic as request/error counts per time block,
 * kept for hours across restarts and guards. Plain JSON-serialisable data with a bounded size:
 * recent traffic is kept in 1-minute blocks and merged into coarser blocks as it ages, so a
 * day of traffic costs about 200 blocks. Each block remembers its worst minute (the one with
 * the most errors), so bursts stay visible after merging (baseline-summary.ts uses them).
 * Pure functions; the caller supplies every timestamp (no clock reads here).
 */
import type { BaselineBlock, BaselineHistory } from '../domain/error-rate-evidence.ts';

/** From `olderThanMs` of age on, blocks are merged up to `blockMs` (aligned to epoch multiples). */
export interface BaselineTier {
  olderThanMs: number;
  blockMs: number;
}

export interface BaselinePolicy {
  /** Blocks that ended longer ago than this are dropped. */
  retentionMs: number;
  /** Ascending by age; the first must start at 0. Block sizes must divide each other. */
  tiers: readonly BaselineTier[];
  /** A hard cap on the number of blocks: the oldest go first. */
  maxBlocks: number;
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** A day of traffic: 1-minute blocks for the last hour, 5-minute blocks to 6 h, 30-minute blocks beyond. */
export const DEFAULT_BASELINE_POLICY: Readonly<BaselinePolicy> = Object.freeze({
  retentionMs: 24 * HOUR,
  tiers: Object.freeze([
    { olderThanMs: 0, blockMs: MINUTE },
    { olderThanMs: HOUR, blockMs: 5 * MINUTE },
    { olderThanMs: 6 * HOUR, blockMs: 30 * MINUTE },
  ]),
  maxBlocks: 200,
});

/** The default policy with another retention (the config's baselineRetention). */
export const baselinePolicyWithRetention = (retentionMs: number | undefined): BaselinePolicy =>
  retentionMs === undefined ? DEFAULT_BASELINE_POLICY : { ...DEFAULT_BASELINE_POLICY, retentionMs };

export const emptyBaselineHistory = (): BaselineHistory => ({ blocks: [] });

/** Counts the guard read since its previous reading, ending at `at`. */
export interface BaselineReading {
  at: number;
  requests: number;
  errors: number;
}

const isCount = (v: number) => Number.isFinite(v) && v >= 0;

/**
 * Adds one reading (an increment, not a raw counter value) to the 1-minute block holding `at`.
 * Unusable readings (negative, NaN, more errors than requests) are ignored: a broken counter must
 * not bend the bar. A reading older than the newest block goes into the block that covers it, or
 * is dropped when none does (it is too old to place). Returns a new history.
 */
export function addBaselineReading(history: BaselineHistory, reading: BaselineReading, policy: BaselinePolicy = DEFAULT_BASELINE_POLICY): BaselineHistory {
  const blocks = history.blocks.slice();
  const started = appendReading(blocks, reading, policy);
  if (started === 'ignored') return history;
  if (started === 'added') return { blocks };
  // Compacting costs a pass over every block, so it runs once per second-tier block (5 minutes by
  // default) or when the cap is hit; in between a few aged 1-minute blocks simply wait their turn.
  const every = policy.tiers[1]?.blockMs ?? policy.tiers[0]?.blockMs ?? MINUTE;
  return started % every === 0 || blocks.length > policy.maxBlocks ? compactBaselineHistory({ blocks }, reading.at, policy) : { blocks };
}

/** Many readings at once (in time order), compacted once at the last one: the same result, cheaper. */
export function addBaselineReadings(history: BaselineHistory, readings: readonly BaselineReading[], policy: BaselinePolicy = DEFAULT_BASELINE_POLICY): BaselineHistory {
  const blocks = history.blocks.slice();
  let now = Number.NEGATIVE_INFINITY;
  for (const r of readings) {
    appendReading(blocks, r, policy);
    if (Number.isFinite(r.at)) now = Math.max(now, r.at);
  }
  return Number.isFinite(now) ? compactBaselineHistory({ blocks }, now, policy) : { blocks };
}

/** Adds the reading to `blocks` in place; returns the start of the block it created, if it did. */
function appendReading(blocks: BaselineBlock[], reading: BaselineReading, policy: BaselinePolicy): number | 'added' | 'ignored' {
  const { at, requests, errors } = reading;
  if (!Number.isFinite(at) || !isCount(requests) || !isCount(errors) || errors > requests) return 'ignored';
  const size = policy.tiers[0]?.blockMs ?? MINUTE;
  const start = Math.floor(at / size) * size;
  const last = blocks.at(-1);
  if (last === undefined || start >= last.end) {
    blocks.push(minuteBlock(start, start + size, requests, errors));
    return start;
  }
  const index = blocks.findLastIndex((b) => b.start <= at && at < b.end);
  if (index === -1) return 'ignored';
  blocks[index] = addCounts(blocks[index] as BaselineBlock, requests, errors, size);
  return 'added';
}

function minuteBlock(start: number, end: number, requests: number, errors: number): BaselineBlock {
  const minutes = requests > 0 ? 1 : 0;
  const minuteSquares = requests > 0 ? (errors * errors) / requests : 0;
  return { start, end, requests, errors, peakRequests: requests, peakErrors: errors, minutes, minuteSquares };
}

/** A block plus counts. A one-minute block is its own minute; a coarser one only adds to its totals. */
function addCounts(b: BaselineBlock, requests: number, errors: number, minuteMs: number): BaselineBlock {
  if (b.end - b.start <= minuteMs) return minuteBlock(b.start, b.end, b.requests + requests, b.errors + errors);
  return { ...b, requests: b.requests + requests, errors: b.errors + errors };
}

function merge(a: BaselineBlock, b: BaselineBlock): BaselineBlock {
  const peak = b.peakErrors > a.peakErrors || (b.peakErrors === a.peakErrors && b.peakRequests < a.peakRequests) ? b : a;
  return {
    start: Math.min(a.start, b.start),
    end: Math.max(a.end, b.end),
    requests: a.requests + b.requests,
    errors: a.errors + b.errors,
    peakRequests: peak.peakRequests,
    peakErrors: peak.peakErrors,
    minutes: a.minutes + b.minutes,
    minuteSquares: a.minuteSquares + b.minuteSquares,
  };
}

/**
 * The block size a block belongs to at `now`: the coarsest tier whose aligned bucket around the
 * block has wholly aged past that tier's threshold. Deciding by the bucket, not by the block itself,
 * gives every piece of a bucket the same answer, so the result does not depend on how often (or in
 * how many readings) compaction ran.
 */
function blockSizeAt(block: BaselineBlock, now: number, tiers: readonly BaselineTier[]): number {
  for (let i = tiers.length - 1; i > 0; i--) {
    const t = tiers[i] as BaselineTier;
    const bucketEnd = Math.floor(block.start / t.blockMs) * t.blockMs + t.blockMs;
    if (now - bucketEnd >= t.olderThanMs) return t.blockMs;
  }
  return tiers[0]?.blockMs ?? MINUTE;
}

/**
 * Drops blocks past the retention, merges aged blocks into their tier's aligned blocks, and keeps
 * at most maxBlocks (the newest). Idempotent for a given `now`. Called by addBaselineReading when a
 * new block starts; call it yourself before storing a history that has not been read from for a while.
 */
export function compactBaselineHistory(history: BaselineHistory, now: number, policy: BaselinePolicy = DEFAULT_BASELINE_POLICY): BaselineHistory {
  const out: BaselineBlock[] = [];
  let previousBucket: number | undefined;
  for (const b of history.blocks) {
    if (b.end <= now - policy.retentionMs) continue;
    const size = blockSizeAt(b, now, policy.tiers);
    const bucket = Math.floor(b.start / size) * size;
    const prev = out.at(-1);
    if (prev !== undefined && previousBucket === bucket && b.end <= bucket + size) out[out.length - 1] = merge(prev, b);
    else out.push(b);
    previousBucket = bucket;
  }
  return { blocks: out.length > policy.maxBlocks ? out.slice(out.length - policy.maxBlocks) : out };
}

/**
 * Only the blocks that ended by `cutoff`: at a guard's start, leave out traffic the stable
 * counters may have shared with the new release while it rolled out (cut at its creation time).
 */
export function baselineHistoryUntil(history: BaselineHistory, cutoff: number): BaselineHistory {
  return { blocks: history.blocks.filter((b) => b.end <= cutoff) };
}

/** The blocks that started before `cutoff`: those that ended by it, and the one it falls in. */
export function baselineHistoryStartedBefore(history: BaselineHistory, cutoff: number): BaselineHistory {
  return { blocks: history.blocks.filter((b) => b.start < cutoff) };
}

/**
 * Both histories as one, e.g. the stable baseline and a guard window that passed: when a release
 * passes its guard, its own traffic joins the baseline. Overlapping blocks are summed.
 */
export function mergeBaselineHistories(a: BaselineHistory, b: BaselineHistory, now: number, policy: BaselinePolicy = DEFAULT_BASELINE_POLICY): BaselineHistory {
  const sorted = [...a.blocks, ...b.blocks].sort((x, y) => x.start - y.start);
  const out: BaselineBlock[] = [];
  for (const block of sorted) {
    const prev = out.at(-1);
    if (prev !== undefined && block.start < prev.end) out[out.length - 1] = merge(prev, block);
    else out.push(block);
  }
  return compactBaselineHistory({ blocks: out }, now, policy);
}
