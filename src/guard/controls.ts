/**
 * Operator controls: pause and mode for one target or (scope `*`) all of them, persisted before
 * they apply, and the rollback policy they make together with the config. With replicas, each
 * reloads them from the store on every command poll.
 */
import type { ResolvedTarget } from '../config/resolve.ts';
import type { Controls, RollbackPolicy } from '../domain/policy.ts';
import type { Clock } from '../infra/clock.ts';
import type { Logger } from '../infra/log.ts';
import type { Store } from '../store/types.ts';

/** The scope key of global controls. */
export const GLOBAL = '*';

export class OperatorControls {
  #controls: Record<string, Controls>;
  readonly #store: Store;
  readonly #clock: Clock;
  readonly #logger: Logger;

  constructor(initial: Record<string, Controls>, deps: { store: Store; clock: Clock; logger: Logger }) {
    this.#controls = initial;
    this.#store = deps.store;
    this.#clock = deps.clock;
    this.#logger = deps.logger;
  }

  /** Config plus operator controls: a target's own controls win over global ones, pause adds up. */
  policyFor(target: ResolvedTarget): RollbackPolicy {
    const global = this.#controls[GLOBAL] ?? {};
    const own = this.#controls[target.name] ?? {};
    return {
      mode: own.mode ?? global.mode ?? target.mode,
      paused: (global.paused ?? false) || (own.paused ?? target.paused),
      cooldownMs: target.rollback.cooldown,
      maxRollbacks: { count: target.rollback.maxAutomatic, periodMs: target.rollback.maxAutomaticPeriod },
    };
  }

  all(): Record<string, Controls> {
    return structuredClone(this.#controls);
  }

  /** Changes `scope`'s controls; stored before they apply. */
  async set(scope: string, patch: Controls): Promise<Controls> {
    const now = this.#clock.now();
    const next = { ...this.#controls[scope], ...patch, at: now };
    await this.#store.saveControls(scope, next, now);
    this.#controls = { ...this.#controls, [scope]: next };
    this.#logger.warn({ scope, controls: next }, 'operator controls changed');
    return next;
  }

  /** Takes in what other replicas stored. */
  async reload(): Promise<void> {
    this.#controls = await this.#store.loadControls();
  }
}
