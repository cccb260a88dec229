/**
 * Runs the rollback deploy outside the event queue (it can take minutes) and hands its result
 * back. Never two at once for one target: the step only asks for a deploy when none is in flight,
 * and this refuses a second one regardless.
 */
import type { ResolvedTarget } from '../../config/resolve.ts';
import type { Clock } from '../../infra/clock.ts';
import type { Logger } from '../../infra/log.ts';
import type { WatchdogMetrics } from '../../metrics/recorder.ts';
import type { Platform } from '../../platform/types.ts';
import type { GuardEvent } from '../step/context.ts';
import { errorMessage } from './side-tasks.ts';

export type DeployResultEvent = Extract<GuardEvent, { type: 'deploy-result' }>;

export interface RollbackDeployerDeps {
  target: ResolvedTarget;
  platform: Platform;
  clock: Clock;
  logger: Logger;
  metrics: WatchdogMetrics;
  /** Aborted only by fencing: kills a deploy this replica may no longer be running. */
  fenced: AbortSignal;
  /**
   * After the deploy returned, while it still counts as in flight: lists the releases, so the one
   * it created is known before its result is stepped (verification has a row for its verdict; a
   * flyctl that failed while Fly goes on deploying is recognised as such, not retried).
   */
  beforeResult: () => Promise<void>;
  /** Called with the deploy's outcome once it is no longer in flight. */
  finished: (event: DeployResultEvent) => Promise<void>;
}

export class RollbackDeployer {
  readonly #deps: RollbackDeployerDeps;
  #running: Promise<void> | undefined;

  constructor(deps: RollbackDeployerDeps) {
    this.#deps = deps;
  }

  get inFlight(): boolean {
    return this.#running !== undefined;
  }

  start(imageRef: string): void {
    const { target, platform, logger, metrics, fenced } = this.#deps;
    if (fenced.aborted) return;
    if (this.#running) {
      logger.error({ imageRef }, 'refusing a second concurrent rollback deploy');
      return;
    }
    logger.warn({ imageRef, strategy: target.rollback.strategy }, 'issuing rollback deploy');
    this.#running = (async () => {
      let event: DeployResultEvent;
      try {
        // Not stopped by shutdown: a deploy interrupted half-way is worse than one that finishes
        // after we exit. Only fencing kills it, so two replicas never deploy the same app at once.
        const result = await platform.deployImage(target.app, imageRef, { strategy: target.rollback.strategy, waitTimeoutMs: target.rollback.waitTimeout, signal: fenced });
        event = { type: 'deploy-result', ok: true, ...(result.version !== undefined && { version: result.version }) };
      } catch (err) {
        metrics.incPlatformError('deploy');
        event = { type: 'deploy-result', ok: false, error: errorMessage(err) };
      }
      try {
        await this.#deps.beforeResult();
      } finally {
        this.#running = undefined;
      }
      await this.#deps.finished(event);
    })().catch((err: unknown) => logger.error({ err }, 'rollback deploy bookkeeping failed'));
  }

  /** Waits up to `graceMs` for a deploy in flight; true when none is left running. */
  async settle(graceMs: number): Promise<boolean> {
    const running = this.#running;
    if (!running) return true;
    return Promise.race([running.then(() => true), this.#deps.clock.sleep(graceMs).then(() => false)]);
  }
}
