/**
 * The Store contract: one suite that every implementation must pass, so SQLite and PostgreSQL keep
 * the same semantics. Ids are only compared by order: PostgreSQL sequences skip numbers after a
 * rollback, SQLite's AUTOINCREMENT does not, and nothing may depend on either.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { initialState, type TargetState } from '../../src/domain/target-state.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { Store, Transition } from '../../src/store/types.ts';

/**
 * Opens a store on the storage named `storage` (a file, a schema): a new name is empty storage,
 * and the same name again is the same storage, as after a restart.
 */
export type OpenStore = (storage: string) => Promise<Store>;

/**
 * Turns closed storage back into what the build before issue 16 left (an audit table without
 * `count` and `source`), so the contract can check that opening it again upgrades it in place.
 */
export type ToPreviousAuditSchema = (storage: string) => Promise<void>;

const MINUTE = 60_000;

export const rel = (version: number, status = 'complete') => ({
  version,
  imageRef: `registry.fly.io/api:deployment-${version}`,
  status,
  createdAt: 1_764_000_000_000 + version * 1000,
  user: 'ci@example.com',
  description: `Release v${version}`,
});

export const incident = (id: string, overrides: Partial<Incident> = {}): Incident => ({
  id,
  target: 'api',
  environment: 'production',
  version: 7,
  imageRef: 'registry.fly.io/api:deployment-7',
  reason: 'ready failed 3 times',
  status: 'open',
  openedAt: 2_000,
  impactStartedAt: 1_000,
  postmortemRequired: false,
  evidence: [],
  ...overrides,
});

const emptyTransition = (state: TargetState): Transition => ({ state, verdicts: [], origins: [], journal: [], openIncidents: [], closeIncidents: [] });

/** A state that uses every nested shape, odd numbers and awkward strings: it must come back equal. */
function richState(): TargetState {
  return {
    ...initialState('api', 1_764_000_000_123),
    phase: 'rolling-back',
    lastSeenVersion: 42,
    current: { version: 42, imageRef: 'registry.fly.io/api:deployment-42', status: 'complete' },
    guard: {
      release: { version: 42, imageRef: 'registry.fly.io/api:deployment-42', status: 'complete' },
      startedAt: 1_764_000_000_000,
      endsAt: 1_764_000_300_000,
      tallies: { ready: { rounds: 12, failures: 3, consecutiveFailures: 3, consecutiveSuccesses: 0, lastDetail: '503 from /ready — “ünïcode” 🚨', streakStartedAt: 1_764_000_100_000 } },
    },
    rollback: { from: { version: 42, imageRef: 'a' }, to: { version: 41, imageRef: 'b' }, reason: 'x', decidedAt: 5, trigger: 'automatic', attempts: 2, lastError: 'nul \u0000 and a lone surrogate \udc00', tallies: {} },
    autoRollbacks: [1, 2.5, 1_764_000_000_000],
    incident: { id: 'api-v42-20251124T160000Z', open: true },
    latencyBaseline: 0.1 + 0.2,
    errorRate: { nested: { deeper: [1, -0.000123, 9_007_199_254_740_991, 1e21, null, true, 'x'] } } as unknown as TargetState['errorRate'],
  };
}

export function storeContract(name: string, openStore: OpenStore, toPreviousAuditSchema: ToPreviousAuditSchema): void {
  describe(`${name} (Store contract)`, () => {
    let opened: Store[] = [];
    let counter = 0;
    /** A store on storage no other test has used. */
    const fresh = async (): Promise<{ store: Store; storage: string }> => {
      const storage = `s${++counter}_${process.pid}`;
      return { store: await track(openStore(storage)), storage };
    };
    const track = async (pending: Promise<Store>) => {
      const store = await pending;
      opened.push(store);
      return store;
    };
    afterEach(async () => {
      await Promise.all(opened.map((s) => s.close()));
      opened = [];
    });

    describe('releases', () => {
      it('lists releases newest first with every field, no empty ones, within the limit', async () => {
        const { store } = await fresh();
        await store.syncReleases('api', [rel(1), rel(3, 'running'), rel(2)], 10);
        expect(await store.listReleases('api')).toEqual([
          { target: 'api', ...rel(3, 'running'), origin: 'deploy', verdict: 'pending', firstSeenAt: 10 },
          { target: 'api', ...rel(2), origin: 'deploy', verdict: 'pending', firstSeenAt: 10 },
          { target: 'api', ...rel(1), origin: 'deploy', verdict: 'pending', firstSeenAt: 10 },
        ]);
        expect((await store.listReleases('api', 2)).map((r) => r.version)).toEqual([3, 2]);
        expect(await store.listReleases('nope')).toEqual([]);
        await store.syncReleases('api', [], 11);
        expect(await store.listReleases('api')).toHaveLength(3);
      });

      it('keeps verdicts, origins and markers when releases are synced again; refreshes only the status', async () => {
        const { store } = await fresh();
        await store.syncReleases('api', [rel(2, 'running'), rel(1)], 10);
        await store.setVerdict('api', 1, 'good', 'window passed', 20);
        await store.setOrigin('api', 2, 'rollback');
        await store.setMigrationMarker('api', 2, 20_251_124_160_000);
        await store.syncReleases('api', [{ ...rel(2), description: 'changed', imageRef: 'other' }, rel(1, 'failed')], 30);
        const [v2, v1] = await store.listReleases('api');
        expect(v2).toEqual({ target: 'api', ...rel(2), origin: 'rollback', verdict: 'pending', migrationMarker: 20_251_124_160_000, firstSeenAt: 10 });
        expect(v1).toEqual({ target: 'api', ...rel(1, 'failed'), origin: 'deploy', verdict: 'good', verdictReason: 'window passed', verdictAt: 20, firstSeenAt: 10 });
      });

      it("stores a release's digest once its machines report one, and never forgets it", async () => {
        const { store } = await fresh();
        const digest = `sha256:${'a'.repeat(64)}`;
        await store.syncReleases('api', [rel(1)], 0);
        expect((await store.listReleases('api'))[0]).not.toHaveProperty('imageDigest');
        await store.syncReleases('api', [{ ...rel(1), imageDigest: digest }], 1);
        expect((await store.listReleases('api'))[0]?.imageDigest).toBe(digest);
        await store.syncReleases('api', [rel(1)], 2); // a listing without the machines' view
        expect((await store.listReleases('api'))[0]?.imageDigest).toBe(digest);
      });

      it('keeps fractional migration markers exactly', async () => {
        const { store } = await fresh();
        await store.syncReleases('api', [rel(1)], 0);
        await store.setMigrationMarker('api', 1, 3.25);
        expect((await store.listReleases('api'))[0]?.migrationMarker).toBe(3.25);
      });

      it('ignores verdicts, origins and markers for releases it has not seen', async () => {
        const { store } = await fresh();
        await store.setVerdict('api', 9, 'bad', 'x', 1);
        await store.setOrigin('api', 9, 'rollback');
        await store.setMigrationMarker('api', 9, 1);
        expect(await store.listReleases('api')).toEqual([]);
      });

      it('keeps targets apart', async () => {
        const { store } = await fresh();
        await store.syncReleases('api', [rel(1)], 0);
        await store.syncReleases('worker', [rel(1), rel(2)], 0);
        await store.setVerdict('worker', 1, 'bad', 'down', 1);
        expect((await store.listReleases('api'))[0]?.verdict).toBe('pending');
        expect((await store.listReleases('worker')).map((r) => [r.version, r.verdict])).toEqual([[2, 'pending'], [1, 'bad']]);
      });
    });

    describe('target state', () => {
      it('round-trips exactly: nested objects, numbers and awkward strings', async () => {
        const { store } = await fresh();
        expect(await store.loadState('api')).toBeUndefined();
        const state = richState();
        await store.saveState(state, 1);
        const loaded = await store.loadState('api');
        expect(loaded).toEqual(state);
        expect(loaded?.latencyBaseline).toBe(0.30000000000000004);
        expect(loaded?.rollback?.lastError).toBe(state.rollback?.lastError);
      });

      it('replaces the whole state on save, per target', async () => {
        const { store } = await fresh();
        await store.saveState(richState(), 1);
        await store.saveState(initialState('worker', 2), 2);
        const plain = { ...initialState('api', 3), lastSeenVersion: 43 };
        await store.saveState(plain, 3);
        expect(await store.loadState('api')).toEqual(plain);
        expect(await store.loadState('worker')).toEqual(initialState('worker', 2));
      });
    });

    describe('transitions', () => {
      it('applies state, verdicts, origins, journal and incidents together, for one target only', async () => {
        const { store } = await fresh();
        await store.syncReleases('api', [rel(1)], 0);
        await store.syncReleases('worker', [rel(1)], 0);
        const state = { ...initialState('api', 5), phase: 'rolling-back' as const, incident: { id: 'inc-1', open: true } };
        await store.saveTransition(
          {
            state,
            verdicts: [{ version: 1, verdict: 'bad', reason: 'ready failed' }],
            origins: [{ version: 1, origin: 'rollback' }],
            journal: [
              { target: 'api', at: 5, kind: 'release-failed', message: 'v1 failed', data: { x: 1, nested: { y: [1, 2] } }, incidentId: 'inc-1' },
              { target: 'api', at: 5, kind: 'rollback-decided', message: 'back to v0' },
            ],
            openIncidents: [incident('inc-1')],
            closeIncidents: [],
          },
          5,
        );
        expect(await store.loadState('api')).toEqual(state);
        expect(await store.loadState('worker')).toBeUndefined();
        expect((await store.listReleases('api'))[0]).toMatchObject({ verdict: 'bad', verdictReason: 'ready failed', verdictAt: 5, origin: 'rollback' });
        expect((await store.listReleases('worker'))[0]).toMatchObject({ verdict: 'pending', origin: 'deploy' });
        expect(await store.getIncident('inc-1')).toEqual(incident('inc-1'));
        expect(await store.listJournal('api')).toEqual([
          { id: expect.any(Number), target: 'api', at: 5, kind: 'rollback-decided', message: 'back to v0' },
          { id: expect.any(Number), target: 'api', at: 5, kind: 'release-failed', message: 'v1 failed', data: { x: 1, nested: { y: [1, 2] } }, incidentId: 'inc-1' },
        ]);
      });

      it('saves a progress-only transition (committed without waiting for the disk) like any other, and the next durable one after it', async () => {
        const { store } = await fresh();
        const tallied = { ...initialState('api', 1), phase: 'guarding' as const, lastSeenVersion: 2 };
        await store.saveTransition({ ...emptyTransition(tallied), progressOnly: true }, 1);
        expect(await store.loadState('api')).toEqual(tallied);
        const decided = { ...tallied, phase: 'failing' as const };
        await store.saveTransition({ ...emptyTransition(decided), journal: [{ target: 'api', at: 2, kind: 'release-failed', message: 'v2 failed' }] }, 2);
        expect(await store.loadState('api')).toEqual(decided);
        expect((await store.listJournal('api')).map((j) => j.kind)).toEqual(['release-failed']);
      });

      it.each([
        ['a journal line breaks a NOT NULL column', (t: Transition): Transition => ({ ...t, journal: [...t.journal, { target: 'api', at: 6, kind: null as unknown as string, message: 'bad' }] })],
        ['the state cannot be serialized (written last)', (t: Transition): Transition => ({ ...t, state: { ...t.state, latencyBaseline: 10n as unknown as number } })],
      ])('when %s then the whole transition is rolled back', async (_label, breakIt) => {
        const { store } = await fresh();
        await store.syncReleases('api', [rel(1)], 0);
        const before = { ...initialState('api', 1), lastSeenVersion: 1 };
        await store.saveState(before, 1);
        const good: Transition = {
          state: { ...before, phase: 'failing' },
          verdicts: [{ version: 1, verdict: 'bad', reason: 'x' }],
          origins: [{ version: 1, origin: 'rollback' }],
          journal: [{ target: 'api', at: 6, kind: 'release-failed', message: 'ok line', incidentId: 'inc-1' }],
          openIncidents: [incident('inc-1')],
          closeIncidents: [],
        };
        await expect(store.saveTransition(breakIt(good), 6)).rejects.toThrow();
        expect(await store.loadState('api')).toEqual(before);
        expect((await store.listReleases('api'))[0]).toMatchObject({ verdict: 'pending', origin: 'deploy' });
        expect(await store.getIncident('inc-1')).toBeUndefined();
        expect(await store.listJournal()).toEqual([]);
        // And the store still works afterwards (the connection or database is not left mid-transaction).
        await store.saveTransition(good, 7);
        expect((await store.listJournal()).map((j) => j.message)).toEqual(['ok line']);
      });

      it.each([
        // label, stored recoveredAt, close's recoveredAt, expected recoveredAt, postmortemRequired as the close says
        ['the close recovers it', undefined, 1_000 + 6 * MINUTE, 1_000 + 6 * MINUTE, true],
        ['never recovered', undefined, undefined, undefined, false],
        ['recovery known before the close', 1_000 + 2 * MINUTE, undefined, 1_000 + 2 * MINUTE, false],
      ] as const)('when %s then the close is applied as given', async (_label, storedRecovered, closeRecovered, recoveredAt, postmortem) => {
        const { store } = await fresh();
        const open = incident('inc-1', { ...(storedRecovered !== undefined && { recoveredAt: storedRecovered }), evidence: [{ kind: 'note', at: 3, text: 'seen' }] });
        await store.saveTransition({ ...emptyTransition(initialState('api', 1)), openIncidents: [open] }, 1);
        const closedAt = 1_000 + 10 * MINUTE;
        const close = { id: 'inc-1', outcome: 'rolled-back' as const, closedAt, ...(closeRecovered !== undefined && { recoveredAt: closeRecovered }), impactMs: 0, postmortemRequired: postmortem };
        await store.saveTransition({ ...emptyTransition(initialState('api', 2)), closeIncidents: [close] }, 2);
        const { recoveredAt: _dropped, ...rest } = open;
        expect(await store.getIncident('inc-1')).toEqual({
          ...rest,
          status: 'closed',
          outcome: 'rolled-back',
          closedAt,
          ...(recoveredAt !== undefined && { recoveredAt }),
          postmortemRequired: postmortem,
        });
      });

      it('leaves a closed incident closed as it was, and ignores unknown ones', async () => {
        const { store } = await fresh();
        await store.saveTransition({ ...emptyTransition(initialState('api', 1)), openIncidents: [incident('inc-1')] }, 1);
        const close = (outcome: 'held' | 'vetoed', closedAt: number) => ({ id: 'inc-1', outcome, closedAt, impactMs: 0, postmortemRequired: false });
        await store.saveTransition({ ...emptyTransition(initialState('api', 2)), closeIncidents: [close('held', 3_000)] }, 2);
        const closed = await store.getIncident('inc-1');
        await store.saveTransition({ ...emptyTransition(initialState('api', 3)), closeIncidents: [close('vetoed', 99 * MINUTE), { ...close('held', 4), id: 'nope' }] }, 3);
        expect(await store.getIncident('inc-1')).toEqual(closed);
        expect(closed).toMatchObject({ status: 'closed', outcome: 'held', closedAt: 3_000, postmortemRequired: false });
        expect(await store.getIncident('nope')).toBeUndefined();
      });
    });

    describe('journal', () => {
      it('lists newest first, per target or all, within the limit, with incident ids only where set', async () => {
        const { store } = await fresh();
        for (let i = 1; i <= 5; i++) {
          await store.appendJournal({ target: i % 2 ? 'api' : 'worker', at: i, kind: 'k', message: `m${i}`, ...(i === 3 && { incidentId: 'inc-3', data: { i } }) });
        }
        const all = await store.listJournal();
        expect(all.map((j) => j.message)).toEqual(['m5', 'm4', 'm3', 'm2', 'm1']);
        const ids = all.map((j) => j.id as number);
        expect([...ids].sort((a, b) => b - a)).toEqual(ids);
        expect(new Set(ids).size).toBe(5);
        expect((await store.listJournal('api')).map((j) => j.message)).toEqual(['m5', 'm3', 'm1']);
        expect((await store.listJournal('api', 2)).map((j) => j.message)).toEqual(['m5', 'm3']);
        expect((await store.listJournal(undefined, 1)).map((j) => j.message)).toEqual(['m5']);
        expect(all[2]).toEqual({ id: ids[2], target: 'api', at: 3, kind: 'k', message: 'm3', incidentId: 'inc-3', data: { i: 3 } });
        expect(all[0]).toEqual({ id: ids[0], target: 'api', at: 5, kind: 'k', message: 'm5' });
      });

      it('follows entries after an id, oldest first, within the limit', async () => {
        const { store } = await fresh();
        for (let i = 1; i <= 4; i++) await store.appendJournal({ target: 'api', at: i, kind: 'k', message: `m${i}` });
        const ids = (await store.listJournal()).map((j) => j.id as number).reverse();
        expect((await store.journalAfter(0, 10)).map((j) => j.message)).toEqual(['m1', 'm2', 'm3', 'm4']);
        expect((await store.journalAfter(ids[1] as number, 10)).map((j) => j.message)).toEqual(['m3', 'm4']);
        expect((await store.journalAfter(ids[0] as number, 2)).map((j) => j.message)).toEqual(['m2', 'm3']);
        expect(await store.journalAfter(ids[3] as number, 10)).toEqual([]);
      });
    });

    describe('incidents', () => {
      it('lists newest first by opening time, per target, within the limit', async () => {
        const { store } = await fresh();
        const a = incident('a', { openedAt: 1 });
        const b = incident('b', { openedAt: 3, target: 'worker' });
        const c = incident('c', { openedAt: 2 });
        await store.saveTransition({ ...emptyTransition(initialState('api', 1)), openIncidents: [a, b, c] }, 1);
        expect(await store.getIncident('zzz')).toBeUndefined();
        expect(await store.listIncidents()).toEqual([b, c, a]);
        expect(await store.listIncidents({ target: 'api' })).toEqual([c, a]);
        expect(await store.listIncidents({ limit: 1 })).toEqual([b]);
        expect(await store.listIncidents({ target: 'none' })).toEqual([]);
      });

      it('appends evidence in order, and ignores unknown incidents', async () => {
        const { store } = await fresh();
        await store.saveTransition({ ...emptyTransition(initialState('api', 1)), openIncidents: [incident('inc-1')] }, 1);
        await store.addIncidentEvidence('inc-1', { kind: 'measurements', at: 5, lines: ['ready 503', 'ready 503'] });
        await store.addIncidentEvidence('inc-1', { kind: 'smoke-output', at: 6, check: 'login', text: 'FAIL\n\u0000binary' });
        await store.addIncidentEvidence('nope', { kind: 'note', at: 7, text: 'x' });
        expect(await store.getIncident('inc-1')).toEqual(
          incident('inc-1', {
            evidence: [
              { kind: 'measurements', at: 5, lines: ['ready 503', 'ready 503'] },
              { kind: 'smoke-output', at: 6, check: 'login', text: 'FAIL\n\u0000binary' },
            ],
          }),
        );
        expect(await store.getIncident('nope')).toBeUndefined();
      });

      it('loses no evidence when several writers add at once', async () => {
        const { store } = await fresh();
        await store.saveTransition({ ...emptyTransition(initialState('api', 1)), openIncidents: [incident('inc-1')] }, 1);
        await Promise.all(Array.from({ length: 8 }, (_, i) => store.addIncidentEvidence('inc-1', { kind: 'note', at: i, text: `n${i}` })));
        const evidence = (await store.getIncident('inc-1'))?.evidence ?? [];
        expect(evidence.map((e) => e.at).sort()).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
      });

      it('gives the timeline of one incident: its journal lines, oldest first', async () => {
        const { store } = await fresh();
        await store.appendJournal({ target: 'api', at: 1, kind: 'k', message: 'before' });
        await store.appendJournal({ target: 'api', at: 2, kind: 'k', message: 'first', incidentId: 'inc-1' });
        await store.appendJournal({ target: 'api', at: 3, kind: 'k', message: 'other', incidentId: 'inc-2' });
        await store.saveTransition({ ...emptyTransition(initialState('api', 4)), journal: [{ target: 'api', at: 4, kind: 'k', message: 'second', incidentId: 'inc-1' }] }, 4);
        expect((await store.incidentTimeline('inc-1')).map((j) => [j.message, j.incidentId])).toEqual([['first', 'inc-1'], ['second', 'inc-1']]);
        expect(await store.incidentTimeline('none')).toEqual([]);
      });
    });

    describe('audit and controls', () => {
      it('keeps the audit trail newest first, without empty fields, within the limit', async () => {
        const { store } = await fresh();
        await store.appendAudit({ at: 1, actor: 'ops', role: 'operator', action: 'pause', target: 'api', params: { reason: 'x', nested: { n: 1.5 } }, status: 202, result: 'paused' });
        await store.appendAudit({ at: 2, actor: 'ops', role: 'operator', action: 'resume', status: 202, result: 'resumed' });
        const audit = await store.listAudit();
        expect(audit).toEqual([
          { id: expect.any(Number), at: 2, actor: 'ops', role: 'operator', action: 'resume', status: 202, result: 'resumed' },
          { id: expect.any(Number), at: 1, actor: 'ops', role: 'operator', action: 'pause', target: 'api', params: { reason: 'x', nested: { n: 1.5 } }, status: 202, result: 'paused' },
        ]);
        expect(audit[0]!.id!).toBeGreaterThan(audit[1]!.id!);
        expect((await store.listAudit(1)).map((a) => a.action)).toEqual(['resume']);
      });

      it('keeps the count and the source of an entry; a count of one is the default', async () => {
        const { store } = await fresh();
        await store.appendAudit({ at: 60_000, actor: 'anonymous', role: 'none', action: 'refused', target: '*', status: 401, result: 'refused 4999 requests', count: 4_999, source: '203.0.113.9', params: { statuses: { 401: 4_999 } } });
        await store.appendAudit({ at: 61_000, actor: 'ops', role: 'operator', action: 'pause', status: 200, result: 'paused', count: 1, source: '::1' });
        expect(await store.listAudit()).toEqual([
          { id: expect.any(Number), at: 61_000, actor: 'ops', role: 'operator', action: 'pause', status: 200, result: 'paused', source: '::1' },
          { id: expect.any(Number), at: 60_000, actor: 'anonymous', role: 'none', action: 'refused', target: '*', status: 401, result: 'refused 4999 requests', count: 4_999, source: '203.0.113.9', params: { statuses: { 401: 4_999 } } },
        ]);
      });

      it('prunes entries older than a time, and all but the newest N, saying how many went', async () => {
        const { store } = await fresh();
        for (let at = 1; at <= 10; at++) await store.appendAudit({ at: at * 1000, actor: 'ops', role: 'operator', action: `a${at}`, status: 200, result: 'ok' });
        expect(await store.pruneAudit(0, 100)).toBe(0);
        expect(await store.pruneAudit(3_000, 100)).toBe(2); // a1, a2: too old
        expect((await store.listAudit()).map((a) => a.action)).toEqual(['a10', 'a9', 'a8', 'a7', 'a6', 'a5', 'a4', 'a3']);
        expect(await store.pruneAudit(0, 5)).toBe(3); // a3 to a5: beyond the newest five
        expect((await store.listAudit()).map((a) => a.action)).toEqual(['a10', 'a9', 'a8', 'a7', 'a6']);
        expect(await store.pruneAudit(8_500, 4)).toBe(3); // both at once: a6 (size), a7 and a8 (age)
        expect((await store.listAudit()).map((a) => a.action)).toEqual(['a10', 'a9']);
        expect(await store.pruneAudit(Number.MAX_SAFE_INTEGER, 0)).toBe(2);
      });

      it('upgrades an audit trail written before counts in place, losing no row', async () => {
        const { store, storage } = await fresh();
        await store.appendAudit({ at: 1, actor: 'ops', role: 'operator', action: 'pause', target: 'api', params: { reason: 'x' }, status: 200, result: 'paused' });
        await store.appendAudit({ at: 2, actor: 'anonymous', role: 'none', action: 'pause-all', target: '*', status: 401, result: 'WD_ERR_UNAUTHORIZED' });
        await store.close();
        await toPreviousAuditSchema(storage);
        const upgraded = await track(openStore(storage));
        expect(await upgraded.listAudit()).toEqual([
          { id: expect.any(Number), at: 2, actor: 'anonymous', role: 'none', action: 'pause-all', target: '*', status: 401, result: 'WD_ERR_UNAUTHORIZED' },
          { id: expect.any(Number), at: 1, actor: 'ops', role: 'operator', action: 'pause', target: 'api', params: { reason: 'x' }, status: 200, result: 'paused' },
        ]);
        await upgraded.appendAudit({ at: 3, actor: 'anonymous', role: 'none', action: 'refused', status: 401, result: 'r', count: 7, source: '192.0.2.1' });
        expect((await upgraded.listAudit(1))[0]).toMatchObject({ count: 7, source: '192.0.2.1' });
        expect(await upgraded.pruneAudit(2, 100)).toBe(1);
      });

      it('stores controls per scope, each save replacing that scope', async () => {
        const { store } = await fresh();
        expect(await store.loadControls()).toEqual({});
        await store.saveControls('*', { paused: true, by: 'ops', at: 1, reason: 'freeze' }, 1);
        await store.saveControls('api', { mode: 'approve' }, 2);
        await store.saveControls('*', { paused: false, by: 'ops' }, 3);
        expect(await store.loadControls()).toEqual({ '*': { paused: false, by: 'ops' }, api: { mode: 'approve' } });
      });
    });

    describe('durability', () => {
      it('keeps everything across a reopen of the same storage', async () => {
        const { store, storage } = await fresh();
        await store.syncReleases('api', [rel(3)], 0);
        await store.saveTransition(
          {
            ...emptyTransition(richState()),
            verdicts: [{ version: 3, verdict: 'bad', reason: 'down' }],
            journal: [{ target: 'api', at: 1, kind: 'k', message: 'm', incidentId: 'inc-1' }],
            openIncidents: [incident('inc-1')],
          },
          1,
        );
        await store.appendAudit({ at: 1, actor: 'ops', role: 'admin', action: 'pause', status: 202, result: 'ok' });
        await store.saveControls('*', { paused: true }, 1);
        await store.close();
        const again = await track(openStore(storage));
        expect((await again.listReleases('api'))[0]).toMatchObject({ version: 3, verdict: 'bad' });
        expect(await again.loadState('api')).toEqual(richState());
        expect(await again.getIncident('inc-1')).toEqual(incident('inc-1'));
        expect((await again.incidentTimeline('inc-1')).map((j) => j.message)).toEqual(['m']);
        expect(await again.listAudit()).toHaveLength(1);
        expect(await again.loadControls()).toEqual({ '*': { paused: true } });
      });

      it('closes more than once without error', async () => {
        const { store } = await fresh();
        await store.close();
        await expect(store.close()).resolves.toBeUndefined();
      });
    });
  });
}
