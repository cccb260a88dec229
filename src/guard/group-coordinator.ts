/**
 * Carries out group rollbacks (the plan is group-plan.ts): members that shipped with the failing
 * release roll back in the configured order, each verified before the next starts. One at a time
 * per group; it stops at the first member that does not end rolled-back, so a broken step is never
 * followed by more changes.
 */
import type { Clock } from '../infra/clock.ts';
import type { Logger } from '../infra/log.ts';
import type { JournalEntry } from '../domain/journal.ts';
import type { ReleaseRecord, Store } from '../store/types.ts';
import { planGroupRollback, type GroupSpec } from './group-plan.ts';
import type { ReleaseRef, TargetState } from '../domain/target-state.ts';
import type { TargetRunner } from './target-runner.ts';

export interface GroupCoordinatorDeps {
  store: Store;
  clock: Clock;
  logger: Logger;
  runner: (name: string) => TargetRunner;
  /** A journal line written outside a transition (a refusal), for the events feed. */
  onJournal?: (entry: JournalEntry) => void;
}

export class GroupCoordinator {
  readonly #deps: GroupCoordinatorDeps;
  /** Groups with a coordinated rollback under way. */
  readonly #busy = new Map<string, Promise<void>>();

  constructor(deps: GroupCoordinatorDeps) {
    this.#deps = deps;
  }

  /** Starts the group's rollback unless one is already under way; returns at once. */
  coordinate(group: GroupSpec, failingTarget: string, from: ReleaseRef): void {
    if (this.#busy.has(group.name)) return;
    const log = this.#deps.logger.child({ group: group.name });
    const running = this.#run(group, failingTarget, from, log)
      .catch((err) => log.error({ err }, 'group rollback crashed'))
      .finally(() => this.#busy.delete(group.name));
    this.#busy.set(group.name, running);
  }

  /** Resolves when every group rollback under way has ended. */
  async drain(): Promise<void> {
    await Promise.all(this.#busy.values());
  }

  async #run(group: GroupSpec, failingTarget: string, from: ReleaseRef, log: Logger): Promise<void> {
    const { store, clock } = this.#deps;
    // Let the requesting transition finish before acting on the runners it belongs to.
    await new Promise((resolve) => setImmediate(resolve));
    const histories: Record<string, ReleaseRecord[]> = {};
    for (const member of group.targets) histories[member] = await store.listReleases(member);
    const plan = planGroupRollback(group, { target: failingTarget, release: from }, histories);
    if (!plan.ok) {
      log.error({ failingTarget, reason: plan.reason }, 'group rollback refused; the failing target stays held');
      const entry: JournalEntry = { target: failingTarget, at: clock.now(), kind: 'group-rollback-refused', message: plan.reason };
      await store.appendJournal(entry);
      this.#deps.onJournal?.(entry);
      return;
    }
    log.warn({ steps: plan.steps.map((s) => `${s.target}: v${s.from.version} → v${s.to.version}`) }, 'rolling the group back');
    for (const stepPlan of plan.steps) {
      const runner = this.#deps.runner(stepPlan.target);
      await runner.rollbackTo(stepPlan.to, `group:${group.name}`);
      const phase = await this.#settled(runner);
      if (phase !== 'rolled-back') {
        log.error({ target: stepPlan.target, phase }, 'group rollback stopped: a member did not roll back cleanly');
        return;
      }
    }
    log.info('group rolled back');
  }

  /** Waits until a member's rollback has an outcome (or gives up after its worst-case duration). */
  async #settled(runner: TargetRunner): Promise<TargetState['phase']> {
    const { clock } = this.#deps;
    const t = runner.target;
    const deadline = clock.now() + t.rollback.waitTimeout * t.rollback.deployAttempts + t.verify.timeout + 60_000;
    while (clock.now() < deadline) {
      const phase = runner.state.phase;
      if (phase !== 'rolling-back' && phase !== 'verifying') return phase;
      await clock.sleep(250);
    }
    return runner.state.phase;
  }
}
