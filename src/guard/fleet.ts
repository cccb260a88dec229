/**
 * The runners this process guards. Alone, every target's runner is opened at once. With several
 * replicas (docs/ha.md) a LeaseManager hands out shards (a target, or a rollback group as a whole):
 * runners open when a shard's lease is taken and are fenced when it is lost.
 */
import type { ResolvedTarget } from '../config/resolve.ts';
import type { Clock } from '../infra/clock.ts';
import type { JournalEntry } from '../domain/journal.ts';
import type { LeaseFence } from '../domain/lease.ts';
import type { TargetPhase } from '../domain/target-state.ts';
import type { LeaseManager, LossReason } from '../ha/lease-manager.ts';
import type { GroupSpec } from './step/group-plan.ts';
import { TargetRunner, type RunnerDeps } from './runner/target-runner.ts';

/** Phases in which a shard may change hands between replicas without interrupting a rollback. */
const QUIET_PHASES: ReadonlySet<TargetPhase> = new Set(['idle', 'stable', 'rolled-back', 'rollback-failed', 'held', 'guarding']);

export interface FleetDeps {
  targets: readonly ResolvedTarget[];
  clock: Clock;
  groups: readonly GroupSpec[];
  /** Everything a runner needs for `target` (the watchdog's wiring). */
  runnerDeps: (target: ResolvedTarget, index: number, lease: (() => LeaseFence | undefined) | undefined) => RunnerDeps;
  /** Runners of a shard just opened, before they start. */
  onAdopted: (runners: readonly TargetRunner[]) => void;
  /** Writes a journal line outside any transition (a takeover) and shows it in the events feed. */
  journal: (entry: JournalEntry) => Promise<void>;
  /** Runners just started: resume what a restart or a takeover interrupted (group rollbacks). */
  onStarted: (runners: readonly TargetRunner[]) => void;
  onDropped: (target: string) => void;
  setGuardedCount: (count: number) => void;
  logger: { info: (obj: object, msg: string) => void; warn: (obj: object, msg: string) => void };
  incLeaseChange?: (change: string) => void;
}

export class Fleet {
  readonly #deps: FleetDeps;
  readonly #runners = new Map<string, TargetRunner>();
  readonly shards: Map<string, string[]>;
  #leases: LeaseManager | undefined;
  #started = false;
  #stopping = false;

  constructor(deps: FleetDeps) {
    this.#deps = deps;
    this.shards = shardsOf(deps.targets, deps.groups);
  }

  /** Several replicas: shards come and go with their leases. */
  useLeases(leases: LeaseManager): void {
    this.#leases = leases;
  }

  /** A shard may change hands now: none of its targets has a rollback on its way out. */
  isQuiet(shard: string): boolean {
    return (this.shards.get(shard) ?? []).every((t) => QUIET_PHASES.has(this.#runners.get(t)?.state.phase ?? 'idle'));
  }

  get(name: string): TargetRunner | undefined {
    return this.#runners.get(name);
  }

  all(): TargetRunner[] {
    return [...this.#runners.values()];
  }

  names(): string[] {
    return [...this.#runners.keys()];
  }

  get size(): number {
    return this.#runners.size;
  }

  /** Opens (and, once started, starts) the runners of a shard; with a fence, their writes are fenced. */
  async adopt(shard: string, fence?: LeaseFence): Promise<void> {
    if (this.#stopping) throw new Error('stopping');
    const members = this.shards.get(shard) ?? [];
    const leases = this.#leases;
    const lease = fence && leases ? () => leases.fenceFor(shard) : undefined;
    const opened: TargetRunner[] = [];
    for (const name of members) {
      const index = this.#deps.targets.findIndex((t) => t.name === name);
      opened.push(await TargetRunner.open(this.#deps.runnerDeps(this.#deps.targets[index]!, index, lease)));
    }
    // Opening awaited the store: the lease may have been lost (fenced, released) meanwhile, and
    // `drop` found no runner to stop then. Registering these now would leave a runner guarding a
    // shard this replica does not hold, and a second one beside it once the shard came back.
    if (fence && leases && !leases.holds(shard, fence.epoch)) {
      for (const runner of opened) runner.fence('lease lost while opening');
      return;
    }
    for (const runner of opened) this.#runners.set(runner.target.name, runner);
    this.#deps.setGuardedCount(this.#runners.size);
    this.#deps.onAdopted(opened);
    if (fence) {
      this.#deps.incLeaseChange?.('acquired');
      this.#deps.logger.info({ shard, epoch: fence.epoch, targets: members }, 'now guarding (lease acquired)');
      for (const runner of opened) {
        const message = `guarded by replica ${fence.owner} (lease epoch ${fence.epoch})`;
        await this.#deps.journal({ target: runner.target.name, at: this.#deps.clock.now(), kind: 'lease-acquired', message, data: { replica: fence.owner, epoch: fence.epoch } });
      }
    }
    if (this.#started) {
      this.#begin(opened);
      void Promise.all(opened.map((r) => r.pollReleases()));
    }
  }

  /** Stops a shard's runners at once (fencing: no waiting on anything that may hang). */
  drop(shard: string, reason: LossReason): void {
    for (const name of this.shards.get(shard) ?? []) {
      const runner = this.#runners.get(name);
      if (!runner) continue;
      this.#runners.delete(name);
      this.#deps.onDropped(name);
      runner.fence(`lease ${reason}`);
    }
    this.#deps.setGuardedCount(this.#runners.size);
    this.#deps.incLeaseChange?.(reason);
    const level = reason === 'fenced' || reason === 'expired' ? 'warn' : 'info';
    this.#deps.logger[level]({ shard, reason }, 'no longer guarding (lease given up)');
  }

  /** Starts the loops of every runner opened so far, and of every one opened from now on. */
  start(): void {
    this.#started = true;
    this.#begin(this.all());
  }

  #begin(runners: readonly TargetRunner[]): void {
    for (const runner of runners) runner.start();
    this.#deps.onStarted(runners);
  }

  /** No new shards from here on. */
  halt(): void {
    this.#stopping = true;
  }

  /** Stops every runner (a deploy in flight gets `graceMs`). */
  async stop(graceMs: number): Promise<void> {
    this.halt();
    await Promise.all(this.all().map((r) => r.stop(graceMs)));
  }
}

/**
 * The unit of ownership: a rollback group's members go together (their coordinator needs all of
 * them), every other target alone. Keys: the target's name, or `group:<name>`.
 */
export function shardsOf(targets: readonly ResolvedTarget[], groups: readonly GroupSpec[]): Map<string, string[]> {
  const shards = new Map<string, string[]>();
  const grouped = new Map<string, string>();
  for (const group of groups) for (const member of group.targets) grouped.set(member, `group:${group.name}`);
  for (const target of targets) {
    const shard = grouped.get(target.name) ?? target.name;
    shards.set(shard, [...(shards.get(shard) ?? []), target.name]);
  }
  return shards;
}
