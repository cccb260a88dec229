/**
 * Issue 7's network partition: one of three replicas reaches PostgreSQL through a TCP proxy, and
 * the proxy goes silent (a blackhole: sockets stay open, nothing gets through, nobody gets an
 * error) while that replica's rollback deploy is in flight. The cut replica must stop acting on
 * its own (fence, killing its deploy) before its leases can expire, another replica must take the
 * target over and finish the rollback, and no app may ever have two deploys in flight. Healed,
 * the cut replica takes its share again, still without any overlapping deploy.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pollUntil } from '../support/poll.ts';
import { skipPostgres } from '../support/postgres.ts';
import { ReplicaStack } from './replica-stack.ts';

const APPS = Array.from({ length: 30 }, (_, i) => `app-${String(i).padStart(2, '0')}`);
const REPLICAS = [0, 1, 2];
// Twice the minimum ttl: at 3 s a renewal has 1 s of margin, which a 2-core host running the rest of
// the suite beside this file sometimes took, and the replica fenced before the planned cut.
const TTL_MS = 6_000;
const DONE = ['rolled-back', 'rollback-failed'];

describe.skipIf(skipPostgres)('a replica cut off from PostgreSQL mid-rollback', () => {
  let stack: ReplicaStack;

  beforeAll(async () => {
    // Every replica reaches the database through a proxy of its own, so whichever one turns out to
    // run the rollback can be cut. Deploys are long enough that its deploy is still running when
    // it fences (flyctl's wait timeout longer still, so the deploy itself never times out).
    stack = await ReplicaStack.start({ apps: APPS, replicas: 3, deployMs: 12_000, leaseTtl: `${TTL_MS / 1000}s`, rollbackWaitTimeout: '30s', proxied: REPLICAS });
  }, 90_000);
  afterAll(async () => {
    // Not an assertion: how often a replica fenced (the cut one once, by design; any more are a
    // busy host making a replica miss its renewal margin).
    if (stack) console.log(`fences per replica (whole file): ${JSON.stringify(stack.fences())}`);
    await stack?.close();
  });

  it('fences (its flyctl interrupted), is taken over, the rollback is issued again and finishes with no overlapping deploy; healed, it rejoins', async () => {
    await stack.waitForShare(10, REPLICAS, 60_000);
    const target = APPS[7]!;
    await pollUntil(async () => (await stack.replicas[0]!.target(target)).phase === 'stable', { timeoutMs: 20_000, what: `${target} stable` });
    const good = stack.sim.currentImage(target);
    const bad = await stack.sim.deploy(target, stack.sim.buildImage(target, 'down'));
    await stack.announce(target, 0);
    await pollUntil(() => stack.flyDeploys(target) === 1 && stack.rollbackReleases(target).some((r) => r.status === 'running'), {
      timeoutMs: 30_000,
      intervalMs: 20,
      what: 'the rollback release rolling out',
    });
    // The replica whose rollback deploy this is (the lease holder) is the one to cut.
    const { cutIndex } = await pollUntil(
      () => {
        const i = REPLICAS.find((k) => stack.replicas[k]!.records.some((r) => r.target === target && r.msg === 'issuing rollback deploy'));
        return i === undefined ? undefined : { cutIndex: i };
      },
      { timeoutMs: 5_000, what: 'the replica that issued the rollback deploy' },
    );
    const cutId = ReplicaStack.id(cutIndex);
    const others = REPLICAS.filter((i) => i !== cutIndex);
    // Before the cut, it lists its rollback release rolling out and stores it: the heir carries on
    // from that record. (Its scheduled poll may or may not fall inside the deploy; a deploy notice
    // lists at once, so the test does not depend on when.)
    await stack.announce(target, cutIndex);
    await pollUntil(async () => (await stack.replicas[others[0]!]!.target(target)).rollback?.rollbackVersion !== undefined, {
      // Seconds on an idle machine; the margin is for a CI host running other tests beside it.
      timeoutMs: 15_000,
      intervalMs: 50,
      what: 'the rollback release in the stored state',
    });
    expect(stack.rollbackReleases(target).map((r) => r.status)).toEqual(['running']);
    const lease = (await stack.leases()).get(target)!;
    expect(lease).toMatchObject({ owner: cutId, valid: true });
    const epoch = lease.epoch;

    // The cut.
    const cut = stack.replicas[cutIndex]!;
    stack.proxies[cutIndex]!.blackhole();
    const cutAt = Date.now();

    // It stops acting on its own: every lease fenced, the deploy it had in flight killed, nothing guarded.
    const fenced = await cut.waitForLog(
      (r) => r.component === 'leases' && (r.time as number) >= cutAt && String(r.msg).startsWith('leases could not be renewed in time'),
      10_000,
      'the fence',
    );
    const fencedAt = fenced.time as number;
    const runnerFenced = await cut.waitForLog((r) => r.target === target && r.msg === 'fenced: no longer acting on this target' && (r.time as number) >= cutAt, 5_000, 'the runner fenced');
    expect(runnerFenced).toMatchObject({ deployInFlight: true });
    // Within 2/3 of the ttl of the last renewal (which came before the cut), plus the watch's tick.
    expect(fencedAt - cutAt).toBeLessThan((TTL_MS * 2) / 3 + TTL_MS / 12 + 500);
    await pollUntil(async () => (await stack.guardedTargets(cutIndex)) === 0, { timeoutMs: 5_000, what: 'the cut replica guarding nothing' });

    // Another replica takes the target over, only after the cut one had stopped, and finishes.
    const taken = await pollUntil(
      async () => {
        const lease = (await stack.leases()).get(target);
        return lease?.valid && lease.owner !== cutId ? lease : undefined;
      },
      { timeoutMs: 20_000, intervalMs: 25, what: 'another replica taking the target' },
    );
    expect(taken.epoch).toBeGreaterThan(epoch);
    const acquired = await stack.waitForJournal(target, 'lease-acquired', cutAt, 10_000);
    console.log(`partition: fenced ${fencedAt - cutAt} ms after the cut; ${taken.owner} took ${target} over ${acquired.at - cutAt} ms after the cut`);
    expect(acquired.data).toMatchObject({ replica: taken.owner, epoch: taken.epoch });
    expect(acquired.at).toBeGreaterThan(fencedAt);
    const heir = others.find((i) => ReplicaStack.id(i) === taken.owner)!;
    await stack.explained(
      pollUntil(async () => DONE.includes((await stack.replicas[heir]!.target(target)).phase), { timeoutMs: 40_000, intervalMs: 200, what: 'the rollback finished by the new owner' }),
    );
    for (const i of others) expect(await stack.replicas[i]!.target(target)).toMatchObject({ phase: 'rolled-back', rollback: { from: bad.version, to: 1 } });
    // It carried on from the stored state and found the cut replica's release. The fence killed
    // that flyctl (SIGTERM), and flyctl marks its release interrupted when cancelled (main.go
    // newContext, deploy/machines_deploymachinesapp.go DeployMachinesApp): so the heir issued the
    // rollback again, after the first had ended, never beside it.
    expect(stack.replicas[heir]!.decisions(target)).toEqual(expect.arrayContaining(['rollback-recovered', 'rollback-reissued']));
    expect(stack.rollbackReleases(target).map((r) => r.status)).toEqual(['complete', 'interrupted']);
    expect(stack.flyDeploys(target)).toBe(2);
    expect(stack.sim.currentImage(target)).toBe(good);
    for (const app of APPS) expect(stack.sim.deployOverlaps(app), app).toBe(0);
    // The survivors guard everything meanwhile.
    await pollUntil(async () => (await stack.leaseCounts()).get(cutId) === undefined && (await stack.leases()).size === 30 && [...(await stack.leases()).values()].every((l) => l.valid), {
      timeoutMs: 20_000,
      intervalMs: 200,
      what: 'the two others holding every lease',
    });

    // Healed: what the cut replica sent meanwhile arrives late (as TCP would deliver it), it
    // answers the database again, and takes its share back.
    stack.proxies[cutIndex]!.heal();
    await stack.waitForShare(10, REPLICAS, 60_000);
    const after = await stack.leases();
    expect([...after.values()].every((l) => l.valid)).toBe(true);
    expect([...after.values()].filter((l) => l.owner === cutId)).toHaveLength(10);
    for (const i of REPLICAS) expect((await stack.replicas[i]!.target(target)).phase).toBe('rolled-back');
    const closing = await stack.openStore();
    try {
      const [incident] = await closing.listIncidents({ target });
      expect(incident).toMatchObject({ status: 'closed', outcome: 'rolled-back', version: bad.version });
      const timeline = (await closing.incidentTimeline(incident!.id)).map((e) => e.kind);
      expect(timeline).toEqual(expect.arrayContaining(['release-failed', 'rollback-started', 'rollback-recovered', 'rollback-verified']));
    } finally {
      await closing.close();
    }
    expect(stack.flyDeploys(target)).toBe(2);
    expect(stack.rollbackReleases(target)).toHaveLength(2);
    for (const app of APPS) expect(stack.sim.deployOverlaps(app), app).toBe(0);
  }, 120_000);
});
