import { describe, expect, it } from 'vitest';
import { JournalTail } from '../../src/ha/journal-tail.ts';
import { initialState, type TargetState } from '../../src/domain/target-state.ts';
import { SqliteStore } from '../../src/store/sqlite-store.ts';
import type { JournalEntry } from '../../src/domain/journal.ts';

describe('JournalTail', () => {
  async function setup() {
    const store = new SqliteStore(':memory:');
    const decisions: JournalEntry[] = [];
    const states: TargetState[] = [];
    const tail = new JournalTail({ store, guardedHere: (t) => t === 'mine', publishDecision: (e) => decisions.push(e), publishState: (s) => states.push(s) });
    return { store, tail, decisions, states };
  }

  it('starts at the end of the journal, then republishes what other replicas decide, once each', async () => {
    const { store, tail, decisions } = await setup();
    await store.appendJournal({ target: 'api', at: 1, kind: 'old', message: 'history' });
    await tail.poll();
    expect(decisions).toEqual([]);
    await store.appendJournal({ target: 'api', at: 2, kind: 'release-failed', message: 'v2 failed' });
    await store.appendJournal({ target: 'mine', at: 3, kind: 'guard-started', message: 'published by my own runner' });
    await tail.poll();
    await tail.poll();
    expect(decisions.map((d) => d.kind)).toEqual(['release-failed']);
  });

  it('publishes a state event when the stored phase of a target guarded elsewhere changed', async () => {
    const { store, tail, states } = await setup();
    await tail.poll();
    await store.saveTransition({ state: { ...initialState('api', 1), phase: 'rolling-back' }, verdicts: [], origins: [], journal: [{ target: 'api', at: 1, kind: 'rollback-started', message: 'm' }], openIncidents: [], closeIncidents: [] }, 1);
    await tail.poll();
    await store.appendJournal({ target: 'api', at: 2, kind: 'note', message: 'same phase' });
    await tail.poll();
    expect(states.map((s) => s.phase)).toEqual(['rolling-back']);
  });

  it('picks up an entry committed late with a smaller id (PostgreSQL commit order)', async () => {
    const entries: JournalEntry[] = [{ id: 10, target: 'api', at: 1, kind: 'a', message: 'a' }];
    const decisions: string[] = [];
    const store = {
      listJournal: async () => [{ id: 9, target: 'api', at: 0, kind: 'x', message: 'x' }],
      journalAfter: async (after: number) => entries.filter((e) => (e.id as number) > after).sort((x, y) => (x.id as number) - (y.id as number)),
      loadState: async () => undefined,
    };
    const tail = new JournalTail({ store, guardedHere: () => false, publishDecision: (e) => decisions.push(e.kind), publishState: () => {} });
    await tail.poll();
    await tail.poll();
    entries.push({ id: 11, target: 'api', at: 1, kind: 'late', message: 'late' }, { id: 12, target: 'api', at: 1, kind: 'b', message: 'b' });
    entries.sort((x, y) => (x.id as number) - (y.id as number));
    await tail.poll();
    expect(decisions).toEqual(['a', 'late', 'b']);
  });
});
