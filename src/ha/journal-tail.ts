/**
 * Keeps a replica's events feed complete for targets other replicas guard: it follows the shared
 * journal and republishes their decisions, plus a `state` event when a target's stored phase
 * changed. Targets guarded here are skipped (their runners publish directly, and sooner).
 *
 * PostgreSQL hands out journal ids at insert but transactions commit in any order, so each read
 * looks back a little before the newest id seen and drops ids already published.
 */
import type { TargetState } from '../domain/target-state.ts';
import type { JournalEntry } from '../domain/journal.ts';
import type { Store } from '../store/types.ts';

const LOOK_BACK = 100;
const BATCH = 500;

export interface JournalTailDeps {
  store: Pick<Store, 'journalAfter' | 'listJournal' | 'loadState'>;
  guardedHere: (target: string) => boolean;
  publishDecision: (entry: JournalEntry) => void;
  publishState: (state: TargetState) => void;
}

export class JournalTail {
  readonly #deps: JournalTailDeps;
  #newest: number | undefined;
  /** Where the journal ended when the tail started: history before it is never replayed. */
  #floor = 0;
  readonly #published = new Set<number>();
  readonly #phases = new Map<string, TargetState['phase']>();

  constructor(deps: JournalTailDeps) {
    this.#deps = deps;
  }

  /** One read. The first only finds where the journal ends: the feed starts now, not from history. */
  async poll(): Promise<void> {
    const { store, guardedHere } = this.#deps;
    if (this.#newest === undefined) {
      this.#newest = this.#floor = (await store.listJournal(undefined, 1))[0]?.id ?? 0;
      return;
    }
    const entries = await store.journalAfter(Math.max(this.#floor, this.#newest - LOOK_BACK), BATCH);
    const touched = new Set<string>();
    for (const entry of entries) {
      const id = entry.id as number;
      this.#newest = Math.max(this.#newest, id);
      if (this.#published.has(id)) continue;
      this.#published.add(id);
      if (guardedHere(entry.target)) continue;
      this.#deps.publishDecision(entry);
      touched.add(entry.target);
    }
    // Bounded memory: only ids inside the look-back window can come round again.
    for (const id of this.#published) if (id <= this.#newest - LOOK_BACK) this.#published.delete(id);
    for (const target of touched) {
      const state = await store.loadState(target);
      if (!state || this.#phases.get(target) === state.phase) continue;
      this.#phases.set(target, state.phase);
      this.#deps.publishState(state);
    }
  }
}
