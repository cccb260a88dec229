/**
 * Several real daemon processes sharing one PostgreSQL and one simulator (docs/ha.md): the harness
 * of the replica tests. Every replica runs the same config except its admin port (its own, free)
 * and its replicaId (`replica-<i>`); a replica listed in `proxied` reaches PostgreSQL through its
 * own TCP proxy, which the test can cut (test/support/tcp-proxy.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client } from 'pg';
import { startSimulator, type Simulator } from '../../src/sim/simulator.ts';
import { PostgresStore } from '../../src/store/postgres-store.ts';
import { pollUntil } from '../support/poll.ts';
import { startPostgres, type PostgresServer } from '../support/postgres.ts';
import { startTcpProxy, type TcpProxy } from '../support/tcp-proxy.ts';
import { asCheckout, DaemonProcess, type TargetStatus } from './daemon-process.ts';
import { daemonConfig } from './daemon-config.ts';

export interface ReplicaStackOptions {
  apps: string[];
  /** Daemon processes (default 3). */
  replicas?: number;
  /** Simulated `fly deploy` duration, for every deploy (default 200 ms). */
  deployMs?: number;
  /** store.replication.leaseTtl (default 3s, the minimum). */
  leaseTtl?: string;
  /** defaults.rollback.waitTimeout: flyctl's --wait-timeout for rollback deploys (default 10s). */
  rollbackWaitTimeout?: string;
  /** store.replication.commandPoll (default 200ms). */
  commandPoll?: string;
  /**
   * detection.pollSchedule per replica. Default: every 12 s, replica i at second 4i of each 12.
   * The fake fly is a Node process (~0.1 s of CPU each): three replicas spawning one per target
   * in the same second stalled a 2-core host long enough for replicas to miss a renewal (1 s of
   * margin at a 3 s ttl) and fence themselves. Tests announce their deploys instead (`announce`).
   */
  pollSchedule?: (replica: number) => string;
  /** Replicas (by index) whose database connection goes through a TCP proxy of their own. */
  proxied?: readonly number[];
  /** Top-level YAML appended to the shared config. */
  extraYaml?: string;
}

export interface Lease {
  owner: string;
  epoch: number;
  valid: boolean;
  acquiredAt: number;
}

const SCHEMA = 'rollback_watchdog';

export class ReplicaStack {
  /** Every replica runs here, beside the watchdog's own fly.toml, as from a checkout. */
  readonly dir = asCheckout(mkdtempSync(join(tmpdir(), 'wd-ha-')));
  sim!: Simulator;
  pg!: PostgresServer;
  /** The test's own connection, for reading leases and commands. */
  db!: Client;
  /** One per replica, in replica order. */
  replicas: DaemonProcess[] = [];
  /** The proxy of each proxied replica (undefined for the others). */
  proxies: (TcpProxy | undefined)[] = [];
  readonly options: ReplicaStackOptions;

  private constructor(options: ReplicaStackOptions) {
    this.options = options;
  }

  static async start(options: ReplicaStackOptions): Promise<ReplicaStack> {
    const stack = new ReplicaStack(options);
    try {
      const [sim, pg] = await Promise.all([startSimulator({ deployMs: options.deployMs ?? 200, requestRate: 20, seed: 7 }), startPostgres()]);
      stack.sim = sim;
      stack.pg = pg;
      stack.db = new Client({ connectionString: pg.url });
      await stack.db.connect();
      for (const app of options.apps) await sim.addApp(app, { profile: 'healthy' });
      const count = options.replicas ?? 3;
      const pgPort = Number(new URL(pg.url).port);
      for (let i = 0; i < count; i++) {
        const proxy = options.proxied?.includes(i) ? await startTcpProxy({ port: pgPort }) : undefined;
        stack.proxies.push(proxy);
        const url = new URL(pg.url);
        if (proxy) url.port = String(proxy.port);
        const path = join(stack.dir, `replica-${i}.yaml`);
        writeFileSync(path, stack.config(i, url.toString()));
        stack.replicas.push(new DaemonProcess(path, stack.dir));
      }
      // Together, as a rolling deploy of the watchdog would start them; migrations run under a lock.
      await Promise.all(stack.replicas.map((r) => r.start(30_000)));
      return stack;
    } catch (err) {
      await stack.close();
      throw err;
    }
  }

  /** `replica-<i>`: the id in leases, the journal and logs. */
  static id(i: number): string {
    return `replica-${i}`;
  }

  config(i: number, databaseUrl: string): string {
    const o = this.options;
    const replication = `{ leaseTtl: ${o.leaseTtl ?? '3s'}, commandPoll: ${o.commandPoll ?? '200ms'}, replicaId: ${ReplicaStack.id(i)} }`;
    return daemonConfig(this.sim, {
      apps: o.apps,
      store: `{ postgres: ${JSON.stringify(databaseUrl)}, postgresSchema: ${SCHEMA}, replication: ${replication} }`,
      pollSchedule: o.pollSchedule?.(i) ?? `${(4 * i) % 12}-59/12 * * * * *`,
      // debug logs every probe and flyctl call: too much JSON from three daemons
      logLevel: 'info',
      ...(o.rollbackWaitTimeout && { rollback: { waitTimeout: o.rollbackWaitTimeout } }),
      ...(o.extraYaml && { extraYaml: o.extraYaml }),
    });
  }

  /**
   * CI announces a deploy of `target` through replica `via` (POST /api/v1/deploys): the target is
   * polled at once, by `via` if it guards it, else by its owner through the commands table.
   */
  async announce(target: string, via: number): Promise<void> {
    const res = await this.replicas[via]!.api('/api/v1/deploys', { method: 'POST', body: { target } });
    if (res.status !== 202) throw new Error(`deploy notice for ${target} via ${ReplicaStack.id(via)}: HTTP ${res.status} ${JSON.stringify(res.body)}`);
  }

  /** Every shard's lease as the database sees it now (its clock decides validity). */
  async leases(): Promise<Map<string, Lease>> {
    const { rows } = await this.db.query<{ shard: string; owner: string; epoch: string; valid: boolean; acquired_at: string }>(
      `SELECT shard, owner, epoch, acquired_at, expires_at > (extract(epoch from clock_timestamp()) * 1000)::bigint AS valid FROM ${SCHEMA}.leases`,
    );
    return new Map(rows.map((r) => [r.shard, { owner: r.owner, epoch: Number(r.epoch), valid: r.valid, acquiredAt: Number(r.acquired_at) }]));
  }

  /** The replica (index) holding a valid lease on `shard`, if any. */
  async ownerOf(shard: string): Promise<number | undefined> {
    const lease = (await this.leases()).get(shard);
    if (!lease?.valid) return undefined;
    const i = this.replicas.findIndex((_, k) => ReplicaStack.id(k) === lease.owner);
    return i >= 0 ? i : undefined;
  }

  /** Valid leases per replica id. */
  async leaseCounts(): Promise<Map<string, number>> {
    const counts = new Map<string, number>();
    for (const lease of (await this.leases()).values()) if (lease.valid) counts.set(lease.owner, (counts.get(lease.owner) ?? 0) + 1);
    return counts;
  }

  /**
   * Waits until each listed replica holds `each` valid leases and reports as many guarded targets
   * in its metrics; on timeout, says what it saw last and how often each replica fenced itself.
   */
  async waitForShare(each: number, replicas: readonly number[], timeoutMs: number): Promise<void> {
    let last = '';
    try {
      await pollUntil(
        async () => {
          const counts = await this.leaseCounts();
          const metrics = await Promise.all(replicas.map((i) => this.guardedTargets(i)));
          last = `leases ${JSON.stringify(Object.fromEntries(counts))}, guarded_targets ${JSON.stringify(metrics)}`;
          return replicas.every((i, k) => counts.get(ReplicaStack.id(i)) === each && metrics[k] === each);
        },
        { timeoutMs, intervalMs: 200, what: `${replicas.length} replicas guarding ${each} targets each` },
      );
    } catch (err) {
      throw new Error(`${(err as Error).message}; last seen: ${last}; self-fences per replica: ${JSON.stringify(this.fences())}`, { cause: err });
    }
  }

  /** How many times each replica fenced every target it held (lost its leases' trust). */
  fences(): number[] {
    return this.replicas.map((r) => r.records.filter((x) => x.component === 'leases' && String(x.msg).startsWith('leases could not be renewed in time')).length);
  }

  /** Forwarded commands as stored. */
  async commands(): Promise<Array<{ id: number; target: string; kind: string; status: string; doneBy: string | null; requestedBy: string }>> {
    const { rows } = await this.db.query<{ id: string; target: string; kind: string; status: string; done_by: string | null; requested_by: string }>(
      `SELECT id, target, kind, status, done_by, requested_by FROM ${SCHEMA}.commands ORDER BY id`,
    );
    return rows.map((r) => ({ id: Number(r.id), target: r.target, kind: r.kind, status: r.status, doneBy: r.done_by, requestedBy: r.requested_by }));
  }

  /** Waits for the first journal entry of `kind` for `target` stamped at or after `since`. */
  async waitForJournal(target: string, kind: string, since: number, timeoutMs: number): Promise<{ at: number; data: Record<string, unknown> }> {
    return pollUntil(
      async () => {
        const { rows } = await this.db.query<{ at: string; data: Record<string, unknown> | null }>(
          `SELECT at, data FROM ${SCHEMA}.journal WHERE target = $1 AND kind = $2 AND at >= $3 ORDER BY id LIMIT 1`,
          [target, kind, since],
        );
        const row = rows[0];
        return row ? { at: Number(row.at), data: row.data ?? {} } : undefined;
      },
      { timeoutMs, intervalMs: 25, what: `a ${kind} journal entry for ${target}` },
    );
  }

  /** A store over the shared database (for incidents and the journal); close it after use. */
  openStore(): Promise<PostgresStore> {
    return PostgresStore.open(this.pg.url, { schema: SCHEMA });
  }

  /** `rollback_watchdog_guarded_targets` from a replica's /metrics (no database involved). */
  async guardedTargets(i: number): Promise<number> {
    const text = await metricsText(this.replicas[i]!);
    const m = /^rollback_watchdog_guarded_targets (\d+)/m.exec(text);
    return m ? Number(m[1]) : 0;
  }

  /**
   * The targets replica `i` guards now, by its own account: its log of shards opened ("now
   * guarding") and given up ("no longer guarding"). Independent of the leases table. (Without
   * rollback groups a shard is a target.)
   */
  guardedFromLogs(i: number): Set<string> {
    const guarded = new Set<string>();
    for (const r of this.replicas[i]!.records) {
      if (r.msg === 'now guarding (lease acquired)') for (const t of r.targets as string[]) guarded.add(t);
      if (r.msg === 'no longer guarding (lease given up)') guarded.delete(r.shard as string);
    }
    return guarded;
  }

  /** The target's status as every replica's admin API reports it. */
  async statusEverywhere(target: string, replicas: readonly number[] = this.replicas.map((_, i) => i)): Promise<TargetStatus[]> {
    return Promise.all(replicas.map((i) => this.replicas[i]!.target(target)));
  }

  /** Fake-fly deploys of `app` (rollbacks: CI deploys go around the fake fly). */
  flyDeploys(app: string): number {
    return this.sim.invocations().filter((i) => i.argv[0] === 'deploy' && i.argv.includes(app)).length;
  }

  /** Releases the watchdog's deploys created for `app` (the fake fly's user). */
  rollbackReleases(app: string) {
    return this.sim.releases(app).filter((r) => r.user === 'watchdog@example.com');
  }

  /** Every replica's decision log, labelled, for failure messages. */
  decisionLogs(): string {
    return this.replicas.map((r, i) => `--- ${ReplicaStack.id(i)}\n${r.decisionLog()}`).join('\n');
  }

  /** `wait`, failing with every replica's decisions as they stand when it failed. */
  async explained<T>(wait: Promise<T>): Promise<T> {
    try {
      return await wait;
    } catch (err) {
      throw new Error(`${(err as Error).message}\ndecisions:\n${this.decisionLogs()}`, { cause: err });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.replicas.map((r) => r.kill('SIGKILL')));
    for (const proxy of this.proxies) await proxy?.close();
    await this.db?.end().catch(() => undefined);
    await this.sim?.close();
    await this.pg?.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** GET /metrics with a short timeout (a replica cut from its database still answers it). */
async function metricsText(daemon: DaemonProcess): Promise<string> {
  try {
    const res = await fetch(`${daemon.url}/metrics`, { signal: AbortSignal.timeout(5_000) });
    return await res.text();
  } catch (err) {
    const exited = await daemon.exited(0).then(
      () => true,
      () => false,
    );
    throw new Error(`GET ${daemon.url}/metrics failed (${String(err)}; process ${exited ? 'exited' : 'running'})\nstderr: ${daemon.stderr.join('').slice(-3_000)}\nlast logs:\n${daemon.tail(30)}`, { cause: err });
  }
}
