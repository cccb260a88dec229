/**
 * Issue 7 end to end: three real watchdog processes sharing one PostgreSQL guard the simulator's 30
 * apps. Each target is guarded by exactly one of them, the admin API answers for every target on
 * every replica, a bad deploy is rolled back exactly once, an operator's action taken on a replica
 * that does not guard the target is carried out by the one that does, and a replica SIGKILLed in
 * the middle of a rollback is replaced by another that finishes it exactly once.
 *
 * The tests share one stack and run in order, each on targets no earlier test touched; the kill
 * comes last. The database partition is in replicas-partition.test.ts.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../support/poll.ts';
import { skipPostgres } from '../support/postgres.ts';
import type { TargetStatus } from './daemon-process.ts';
import { ReplicaStack } from './replica-stack.ts';

const APPS = Array.from({ length: 30 }, (_, i) => `app-${String(i).padStart(2, '0')}`);
const REPLICAS = [0, 1, 2];
const TTL_MS = 3_000;
const RENEW_MS = TTL_MS / 3;
/**
 * Scheduling on a busy 2-core host, and a second survivor's round when the first took its share.
 * 4.5 s was seen under a full CI run (limit then 5.5 s): 3 s keeps the bound meaningful without flaking.
 */
const TAKEOVER_SLACK_MS = 3_000;
const DONE = ['rolled-back', 'rollback-failed'];

describe.skipIf(skipPostgres)('three replicas on one PostgreSQL, 30 targets', () => {
  let stack: ReplicaStack;
  const used = new Set<string>();

  beforeAll(async () => {
    // Slow deploys (CI's and rollbacks alike), so a replica can be killed while one is in flight.
    stack = await ReplicaStack.start({ apps: APPS, replicas: 3, deployMs: 3_000 });
  }, 90_000);
  afterAll(async () => {
    // Not an assertion: how often a busy host made a replica miss its renewal margin and fence.
    if (stack) console.log(`self-fences per replica (whole file): ${JSON.stringify(stack.fences())}`);
    await stack?.close();
  });

  /** A target no earlier test used, with the replica holding its lease, optionally not `avoid`. */
  async function pickTarget(avoid?: number): Promise<{ target: string; owner: number }> {
    const leases = await stack.leases();
    for (const target of APPS) {
      const lease = leases.get(target);
      const owner = REPLICAS.find((i) => lease?.valid && lease.owner === ReplicaStack.id(i));
      if (used.has(target) || owner === undefined || owner === avoid) continue;
      // A busy host can leave a v1 unproven after its 2 s startup window (too few conclusive
      // probe rounds); a bad deploy of such a target is rightly held, not rolled back.
      const v1 = (await stack.replicas[owner]!.releases(target)).find((r) => r.version === 1);
      if (v1?.verdict !== 'good') continue;
      used.add(target);
      return { target, owner };
    }
    throw new Error('no unused target with a valid lease and a good v1');
  }

  /** Waits until every listed replica's admin API reports the target matching `predicate`. */
  async function waitEverywhere(target: string, predicate: (t: TargetStatus) => boolean, what: string, replicas = REPLICAS, timeoutMs = 40_000): Promise<TargetStatus[]> {
    const wait = pollUntil(
      async () => {
        const seen = await stack.statusEverywhere(target, replicas);
        return seen.every(predicate) ? seen : undefined;
      },
      { timeoutMs, intervalMs: 200, what },
    );
    return stack.explained(wait);
  }

  it('shares the targets: one valid lease each, 10 per replica, and every replica reports all 30', async () => {
    await stack.waitForShare(10, REPLICAS, 60_000);
    const leases = await stack.leases();
    expect([...leases.keys()].sort()).toEqual(APPS);
    expect([...leases.values()].every((l) => l.valid)).toBe(true);
    // By the replicas' own account too: the sets they guard are disjoint, cover every target, and
    // match the leases they hold.
    const sets = REPLICAS.map((i) => stack.guardedFromLogs(i));
    expect(sets.flatMap((s) => [...s]).sort()).toEqual(APPS);
    for (const i of REPLICAS) {
      const held = [...leases].filter(([, l]) => l.owner === ReplicaStack.id(i)).map(([shard]) => shard);
      expect([...sets[i]!].sort()).toEqual(held.sort());
    }
    for (const i of REPLICAS) {
      const { body } = await stack.replicas[i]!.api<{ targets: Array<{ name: string; phase: string }> }>('/api/v1/status');
      expect(body.targets.map((t) => t.name)).toEqual(APPS);
    }
    // Every v1 has been guarded and passed, whoever guards it, as any replica reports it.
    await pollUntil(async () => {
      const { body } = await stack.replicas[0]!.api<{ targets: Array<{ phase: string }> }>('/api/v1/status');
      return body.targets.every((t) => t.phase === 'stable');
    }, { timeoutMs: 30_000, intervalMs: 200, what: 'every target stable' });
  }, 90_000);

  it('rolls a bad deploy back exactly once, and every replica reports it', async () => {
    const { target, owner } = await pickTarget();
    const good = stack.sim.currentImage(target);
    const bad = await stack.sim.deploy(target, stack.sim.buildImage(target, 'down'));
    // CI announces it on a replica that does not guard it: the owner polls (a forwarded command).
    await stack.announce(target, (owner + 1) % 3);
    const seen = await waitEverywhere(target, (t) => DONE.includes(t.phase), 'the rollback, on every replica');
    for (const t of seen) expect(t).toMatchObject({ phase: 'rolled-back', rollback: { from: bad.version, to: 1 } });
    expect(stack.flyDeploys(target)).toBe(1);
    expect(stack.rollbackReleases(target)).toHaveLength(1);
    expect(stack.sim.currentImage(target)).toBe(good);
    expect(stack.sim.deployOverlaps()).toBe(0);
    // The replica holding the lease acted; the others only reported it.
    const issuers = REPLICAS.filter((i) => stack.replicas[i]!.records.some((r) => r.target === target && r.msg === 'issuing rollback deploy'));
    expect(issuers).toEqual([owner]);
    expect((await stack.commands()).filter((c) => c.target === target)).toEqual([expect.objectContaining({ kind: 'poll', status: 'done', doneBy: ReplicaStack.id(owner) })]);
  }, 60_000);

  it('carries out an operator action taken on a replica that does not guard the target (forwarded through the database)', async () => {
    const { target } = await pickTarget();
    // Approve mode for this one target, set on a replica that does not guard it: stored, and
    // picked up by every replica (the owner included) within a command poll.
    let { via } = await ownership(target);
    const mode = await stack.replicas[via]!.api('/api/v1/mode', { method: 'POST', body: { mode: 'approve', target, reason: 'forwarding test' } });
    expect(mode.status).toBe(200);
    await pollUntil(async () => (await Promise.all(REPLICAS.map((i) => modeOn(i, target)))).every((m) => m === 'approve'), {
      timeoutMs: 10_000,
      what: 'every replica applying approve mode',
    });
    await stack.sim.deploy(target, stack.sim.buildImage(target, 'down'));
    await stack.announce(target, via);
    const seen = await waitEverywhere(target, (t) => t.phase === 'held', 'the rollback held for approval');
    for (const t of seen) expect(t.hold).toMatchObject({ kind: 'approval' });
    expect(stack.flyDeploys(target)).toBe(0);
    // Approved on a replica that does not guard it: queued, claimed and applied by the owner.
    let owner: number;
    ({ owner, via } = await ownership(target));
    const approved = await stack.replicas[via]!.api<{ phase: string }>(`/api/v1/targets/${target}/approve`, { method: 'POST', body: { reason: 'looks bad' } });
    expect(approved.status).toBe(202);
    expect(approved.body.phase).toBe('rolling-back');
    const done = await waitEverywhere(target, (t) => DONE.includes(t.phase), 'the approved rollback');
    for (const t of done) expect(t.phase).toBe('rolled-back');
    expect(stack.flyDeploys(target)).toBe(1);
    const approve = (await stack.commands()).filter((c) => c.target === target && c.kind === 'approve');
    expect(approve).toEqual([expect.objectContaining({ status: 'done', doneBy: ReplicaStack.id(owner) })]);
    expect(stack.replicas[owner]!.records.some((r) => r.target === target && r.msg === 'issuing rollback deploy')).toBe(true);

    // A verdict by hand, through a replica that does not guard that target either.
    const next = (await pickTarget()).target;
    ({ owner, via } = await ownership(next));
    const marked = await stack.replicas[via]!.api(`/api/v1/targets/${next}/releases/1/mark-bad`, { method: 'POST', body: { reason: 'forwarding test' } });
    expect(marked.status).toBe(200);
    for (const i of REPLICAS) expect((await stack.replicas[i]!.releases(next)).find((r) => r.version === 1)?.verdict).toBe('bad');
    const mark = (await stack.commands()).filter((c) => c.target === next && c.kind === 'mark');
    expect(mark).toEqual([expect.objectContaining({ status: 'done', doneBy: ReplicaStack.id(owner) })]);
    expect(stack.sim.deployOverlaps()).toBe(0);
  }, 60_000);

  it('SIGKILL of the owner mid-rollback: another replica takes the target over and finishes the rollback exactly once', async () => {
    const { target, owner } = await pickTarget();
    const killed = ReplicaStack.id(owner);
    const good = stack.sim.currentImage(target);
    const bad = await stack.sim.deploy(target, stack.sim.buildImage(target, 'down'));
    await stack.announce(target, owner);
    // Mid-rollback: the rollback deploy was issued and its release is rolling out on the platform.
    await pollUntil(() => stack.flyDeploys(target) === 1 && stack.rollbackReleases(target).some((r) => r.status === 'running'), {
      timeoutMs: 30_000,
      intervalMs: 20,
      what: 'the rollback release rolling out',
    });
    const before = (await stack.leases()).get(target)!;
    await stack.replicas[owner]!.kill('SIGKILL');
    const killedAt = Date.now();

    const taken = await pollUntil(
      async () => {
        const lease = (await stack.leases()).get(target);
        return lease?.valid && lease.owner !== killed ? { lease, at: Date.now() } : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 25, what: 'another replica taking the lease' },
    );
    const survivors = REPLICAS.filter((i) => i !== owner);
    const heir = survivors.find((i) => ReplicaStack.id(i) === taken.lease.owner)!;
    expect(taken.lease.epoch).toBeGreaterThan(before.epoch);

    const acquired = await stack.waitForJournal(target, 'lease-acquired', killedAt, 10_000);
    const byJournal = acquired.at - killedAt;
    const byLeaseRow = taken.at - killedAt;
    console.log(`takeover after SIGKILL: ${byJournal} ms to the new owner's lease-acquired journal entry, ${byLeaseRow} ms to the lease row changing hands (leaseTtl ${TTL_MS} ms, renewal every ${RENEW_MS} ms)`);
    expect(acquired.data).toMatchObject({ replica: taken.lease.owner, epoch: taken.lease.epoch });
    expect(byJournal).toBeLessThan(TTL_MS + RENEW_MS + TAKEOVER_SLACK_MS);

    const store = await stack.openStore();
    try {

      const seen = await waitEverywhere(target, (t) => DONE.includes(t.phase), 'the rollback finished by the new owner', survivors);
      for (const t of seen) expect(t).toMatchObject({ phase: 'rolled-back', rollback: { from: bad.version, to: 1 } });
      // Exactly once: one deploy, one rollback release, never two deploys of the app in flight.
      expect(stack.flyDeploys(target)).toBe(1);
      expect(stack.rollbackReleases(target)).toHaveLength(1);
      expect(stack.sim.currentImage(target)).toBe(good);
      expect(stack.sim.deployOverlaps()).toBe(0);
      // Where the kill lands decides what the heir records first: 'rollback-recovered' when the
      // owner died with its deploy still out, or only the verification when the owner had already
      // stored the finished deploy (the platform's rollout can end while the kill is on its way).
      // Either way the heir finishes it, and the single deploy above proves nothing was re-issued.
      expect(stack.replicas[heir]!.decisions(target)).toContain('rollback-verified');

      const [incident] = await store.listIncidents({ target });
      expect(incident).toMatchObject({ status: 'closed', outcome: 'rolled-back', version: bad.version });
      const timeline = (await store.incidentTimeline(incident!.id)).map((e) => e.kind);
      expect(timeline).toEqual(expect.arrayContaining(['release-failed', 'rollback-started', 'rollback-verified']));
    } finally {
      await store.close();
    }

    // The dead replica's other targets are shared out too: all 30 guarded by the two survivors.
    await stack.waitForShare(15, survivors, 20_000);
  }, 90_000);

  /** The mode replica `i` applies to a target (its own view of the operator controls). */
  async function modeOn(i: number, target: string): Promise<string | undefined> {
    const { body } = await stack.replicas[i]!.api<{ targets: Array<{ name: string; mode: string }> }>('/api/v1/status');
    return body.targets.find((t) => t.name === target)?.mode;
  }

  /** The replica holding the target's lease now, and one that does not (to act through). */
  async function ownership(target: string): Promise<{ owner: number; via: number }> {
    const { owner } = await pollUntil(async () => {
      const i = await stack.ownerOf(target);
      return i === undefined ? undefined : { owner: i };
    }, { what: `a valid lease on ${target}` });
    return { owner, via: REPLICAS.find((i) => i !== owner)! };
  }
});
