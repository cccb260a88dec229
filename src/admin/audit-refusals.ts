/**
 * Refusals go into the audit trail as one entry per source and minute, with a count (issue 16:
 * unauthenticated clients wrote a row per request, 10 MB in seconds). A source is a token's name
 * with the client's address, or the address alone without a valid token. Counted in memory and
 * written when the minute is over, so a flood costs no disk write per request.
 */
import type { AuditEntry } from '../store/types.ts';

export interface Refusal {
  at: number;
  actor: string;
  role: string;
  source: string;
  action: string;
  status: number;
}

interface Bucket {
  minute: number;
  actor: string;
  role: string;
  source: string;
  count: number;
  statuses: Map<number, number>;
  actions: Map<string, number>;
}

const MINUTE = 60_000;
/** Sources counted apart per minute; the rest share one entry (source `*`), so memory stays bounded. */
const MAX_SOURCES = 1_000;
/** Actions listed per entry, most frequent first. */
const MAX_ACTIONS = 10;

const bump = <K>(map: Map<K, number>, key: K) => map.set(key, (map.get(key) ?? 0) + 1);
const byCount = <K>(map: Map<K, number>) => [...map].sort((a, b) => b[1] - a[1]);

export class RefusalCounter {
  readonly #buckets = new Map<string, Bucket>();
  /** The earliest minute with counts, so the check for a finished minute costs nothing. */
  #earliest = Number.POSITIVE_INFINITY;

  add(r: Refusal): void {
    const minute = Math.floor(r.at / MINUTE) * MINUTE;
    let key = `${minute}\u0000${r.actor}\u0000${r.source}`;
    let bucket = this.#buckets.get(key);
    if (!bucket && this.#buckets.size >= MAX_SOURCES) {
      key = `${minute}\u0000*`;
      bucket = this.#buckets.get(key);
      bucket ??= this.#open(key, minute, { actor: 'anonymous', role: 'none', source: '*' });
    }
    bucket ??= this.#open(key, minute, r);
    this.#earliest = Math.min(this.#earliest, minute);
    bucket.count++;
    bump(bucket.statuses, r.status);
    bump(bucket.actions, r.action);
  }

  /** True when a minute before `now`'s has counts waiting to be written. */
  hasClosed(now: number): boolean {
    return this.#earliest < Math.floor(now / MINUTE) * MINUTE;
  }

  /** Removes and returns the entries of minutes before `now`'s, or of every minute with `all`. */
  take(now: number, all = false): AuditEntry[] {
    const current = Math.floor(now / MINUTE) * MINUTE;
    const entries: AuditEntry[] = [];
    this.#earliest = Number.POSITIVE_INFINITY;
    for (const [key, bucket] of this.#buckets) {
      if (!all && bucket.minute >= current) {
        this.#earliest = Math.min(this.#earliest, bucket.minute);
        continue;
      }
      this.#buckets.delete(key);
      entries.push(toEntry(bucket));
    }
    return entries;
  }

  #open(key: string, minute: number, who: Pick<Refusal, 'actor' | 'role' | 'source'>): Bucket {
    const bucket: Bucket = { minute, actor: who.actor, role: who.role, source: who.source, count: 0, statuses: new Map(), actions: new Map() };
    this.#buckets.set(key, bucket);
    return bucket;
  }
}

function toEntry(b: Bucket): AuditEntry {
  const statuses = byCount(b.statuses);
  const actions = byCount(b.actions).slice(0, MAX_ACTIONS);
  return {
    at: b.minute,
    actor: b.actor,
    role: b.role,
    action: 'refused',
    target: '*',
    params: { statuses: Object.fromEntries(statuses), actions: Object.fromEntries(actions) },
    status: statuses[0]?.[0] ?? 400,
    result: `refused ${b.count} request${b.count === 1 ? '' : 's'} in this minute: ${statuses.map(([s, n]) => `${s} ×${n}`).join(', ')}`,
    count: b.count,
    source: b.source,
  };
}
