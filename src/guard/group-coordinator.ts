/**
 * Carries out group rollbacks (the plan is step/group-plan.ts): members that shipped with the
 * failing release roll back in the configured order, each verified before the next starts. One at
 * a time per group; it stops at the first member that does not end rolled-back, so a broken step
 * is never followed by more changes. The plan is stored with the member that failed first, so a
 * restart in the middle carries the same plan on: members already back are skipped, a member
 * whose rollback is under way is waited for, and no member is rolled back twice.
 */
import { sameBuild } from '../domain/build-identity.ts';
import type { GroupRollbackStep, ReleaseRef, TargetPhase } from '../domain/target-state.ts';
import type { Clock } from '../infra/clock.ts';
import type { Logger } from '../infra/log.ts';
import type { ReleaseRecord, Store } from '../store/types.ts';
import type { TargetRunner } from './runner/target-runner.ts';
import { planGroupRollback, type GroupSpec } from './step/group-plan.ts';

export interface GroupCoordinatorDeps {
  groups: readonly GroupSpec[];
  store: Store;
  clock: Clock;
  logger: Logger;
  runner: (name: string) => TargetRunner | undefined;
  /** Why the rails would stop this member's part (a migration, a pause, a mode), or undefined. */
  refusal: (step: GroupRollbackStep, history: readonly ReleaseRecord[]) => string | undefined;
}

export class GroupCoordinator {
  readonly #deps: GroupCoordinatorDeps;
  /** Groups with a coordinated rollback under way. */
  readonly #busy = new Map<string, Promise<void>>();

  readonly #groupOf = new Map<string, GroupSpec>();

  constructor(deps: GroupCoordinatorDeps) {
    this.#deps = deps;
    for (const group of deps.groups) for (const member of group.targets) this.#groupOf.set(member, group);
  }

  /** The group a target belongs to, if any. */
  groupOf(target: string): GroupSpec | undefined {
    return this.#groupOf.get(target);
  }

  /**
   * Carries on group rollbacks a restart or a takeover interrupted: a stored plan is resumed as it
   * is; a member that asked for one and has no plan yet asks again.
   */
  resumeInterrupted(runners: readonly TargetRunner[]): void {
    for (const runner of runners) {
      const group = this.#groupOf.get(runner.target.name);
      const s = runner.state;
      if (!group) continue;
      if (s.groupRollback) this.resume(group, runner.target.name, s.groupRollback.steps);
      else if (s.phase === 'held' && s.hold?.kind === 'group' && s.plan) this.coordinate(group, runner.target.name, s.plan.from);
    }
  }

  /** Plans and starts the group's rollback unless one is already under way; returns at once. */
  coordinate(group: GroupSpec, failingTarget: string, from: ReleaseRef): void {
    this.#start(group, (log) => this.#plan(group, failingTarget, from, log));
  }

  /** Carries on a stored plan (after a restart or a takeover); returns at once. */
  resume(group: GroupSpec, failingTarget: string, steps: readonly GroupRollbackStep[]): void {
    this.#start(group, (log) => this.#execute(group.name, failingTarget, steps, log));
  }

  /** Resolves when every group rollback under way has ended. */
  async drain(): Promise<void> {
    await Promise.all(this.#busy.values());
  }

  #start(group: GroupSpec, work: (log: Logger) => Promise<void>): void {
    if (this.#busy.has(group.name)) return;
    const log = this.#deps.logger.child({ group: group.name });
    const running = work(log)
      .catch((err: unknown) => log.error({ err }, 'group rollback crashed; the members stay as they are'))
      .finally(() => this.#busy.delete(group.name));
    this.#busy.set(group.name, running);
  }

  async #plan(group: GroupSpec, failingTarget: string, from: ReleaseRef, log: Logger): Promise<void> {
    const failing = this.#deps.runner(failingTarget);
    if (!failing) return;
    // Let the requesting transition finish before acting on the runners it belongs to.
    await new Promise((resolve) => setImmediate(resolve));
    const histories: Record<string, ReleaseRecord[]> = {};
    for (const member of group.targets) histories[member] = await this.#deps.store.listReleases(member);
    const plan = planGroupRollback(group, { target: failingTarget, release: from }, histories);
    const refused = plan.ok ? plan.steps.map((s) => ({ s, why: this.#deps.refusal(s, histories[s.target] ?? []) })).find((r) => r.why) : undefined;
    if (!plan.ok || refused) {
      const reason = plan.ok ? `${refused!.s.target}: ${refused!.why}` : plan.reason;
      log.error({ failingTarget, reason }, 'group rollback refused; the failing target stays held');
      await failing.apply({ type: 'group-refused', group: group.name, reason });
      return;
    }
    const planned = await failing.apply({ type: 'group-planned', group: group.name, steps: plan.steps });
    if (!planned.applied) return;
    await this.#execute(group.name, failingTarget, plan.steps, log);
  }

  async #execute(group: string, failingTarget: string, steps: readonly GroupRollbackStep[], log: Logger): Promise<void> {
    log.warn({ steps: steps.map((s) => `${s.target}: v${s.from.version} → v${s.to.version}`) }, 'rolling the group back');
    const reason = `group ${group} rolls back with ${failingTarget}`;
    let ended = { rolledBack: true, reason: 'every member that shipped is back on its earlier release, verified' };
    for (const step of steps) {
      const member = this.#deps.runner(step.target);
      const phase = member ? await this.#carryOut(member, group, step, reason) : 'not guarded here';
      if (phase !== 'rolled-back') {
        log.error({ target: step.target, phase }, 'group rollback stopped: a member did not roll back cleanly');
        ended = { rolledBack: false, reason: `${step.target} did not roll back cleanly (${phase}); later members left as they are` };
        break;
      }
    }
    await this.#deps.runner(failingTarget)?.apply({ type: 'group-ended', group, ...ended });
    if (ended.rolledBack) log.info('group rolled back');
  }

  /** One member's part: skipped when already done, waited for when under way, else started. */
  async #carryOut(member: TargetRunner, group: string, step: GroupRollbackStep, reason: string): Promise<TargetPhase | string> {
    const s = member.state;
    const under = s.rollback && sameBuild(s.rollback.to, step.to);
    if (s.phase === 'rolled-back' && under) return 'rolled-back';
    if ((s.phase === 'rolling-back' || s.phase === 'verifying') && under) return this.#settled(member);
    if (s.current && sameBuild(s.current, step.to) && s.phase !== 'failing' && s.phase !== 'held') return 'rolled-back';
    const outcome = await member.apply({ type: 'group-rollback', group, to: step.to, reason });
    if (!outcome.applied) return `refused: ${outcome.refusal.code}`;
    return this.#settled(member);
  }

  /** Waits until a member's rollback has an outcome (or gives up after its worst-case duration). */
  async #settled(runner: TargetRunner): Promise<TargetPhase> {
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
