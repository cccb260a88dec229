/**
 * Where an operator's command on a target goes. Guarded here: its runner applies it. Guarded by
 * another replica: it is queued in the store, that replica's router claims it once, applies it
 * and records the outcome, which this one waits for (or withdraws it after a timeout).
 */
import type { Clock } from '../infra/clock.ts';
import { WD_ERR_FORWARD_TIMEOUT, WD_ERR_NOT_OWNED, WD_ERR_TARGET_UNKNOWN } from '../infra/errors.ts';
import type { Logger } from '../infra/log.ts';
import type { CommandQueue } from '../ha/types.ts';
import { commandParams, type CommandOutcome, type TargetCommand } from './commands.ts';
import type { TargetRunner } from './runner/target-runner.ts';

export interface CommandRouterDeps {
  clock: Clock;
  logger: Logger;
  /** The runner of a target guarded here, if it is. */
  runner: (name: string) => TargetRunner | undefined;
  /** Absent when this process guards every target. */
  queue?: CommandQueue;
  /** How long a forwarded command may take before the request gives up. */
  forwardTimeoutMs: number;
}

export class CommandRouter {
  readonly #deps: CommandRouterDeps;

  constructor(deps: CommandRouterDeps) {
    this.#deps = deps;
  }

  async act(name: string, command: Exclude<TargetCommand, { kind: 'poll' }>): Promise<CommandOutcome> {
    const runner = this.#deps.runner(name);
    if (runner) return runner.command(command);
    const { queue, clock } = this.#deps;
    if (!queue) throw new WD_ERR_TARGET_UNKNOWN(name);
    const id = await queue.submit(name, command.kind, commandParams(command), command.by);
    const deadline = clock.now() + this.#deps.forwardTimeoutMs;
    for (;;) {
      const outcome = await queue.outcome(id);
      if (outcome.status === 'done') return outcome.result as unknown as CommandOutcome;
      if (outcome.status === 'failed') throw Object.assign(new Error(outcome.error.message), outcome.error);
      if (clock.now() >= deadline) {
        // Withdraw it if nobody took it yet, so it cannot surprise anyone later.
        await queue.cancel(id).catch(() => false);
        throw new WD_ERR_FORWARD_TIMEOUT(name, command.kind, name);
      }
      await clock.sleep(100);
    }
  }

  /** A deploy was announced: look now, wherever the target is guarded (another replica: without waiting). */
  async poll(name: string, by: string): Promise<void> {
    const runner = this.#deps.runner(name);
    if (runner) return runner.pollReleases({ fresh: true });
    // Its own next poll would find the deploy anyway; this only makes it look sooner.
    await this.#deps.queue?.submit(name, 'poll', {}, by);
  }

  /** The owner's side: claims the commands for the targets guarded here, applies them, records how each ended. */
  async serve(replica: string, guarded: readonly string[]): Promise<void> {
    const queue = this.#deps.queue;
    if (!queue) return;
    for (const command of await queue.claim(replica, guarded, 20)) {
      try {
        const runner = this.#deps.runner(command.target);
        if (!runner) throw new WD_ERR_NOT_OWNED(command.target);
        const outcome = await runner.command({ ...(command.params as object), kind: command.kind, by: command.requestedBy } as TargetCommand);
        await queue.complete(command.id, replica, { status: 'done', result: outcome as unknown as Record<string, unknown> });
      } catch (err) {
        const e = err as { code?: string; message?: string; statusCode?: number };
        const error = { code: e.code ?? 'WD_ERR_INTERNAL', message: e.code ? String(e.message) : 'internal error', statusCode: e.statusCode ?? 500 };
        if (!e.code) this.#deps.logger.error({ err, target: command.target, kind: command.kind }, 'forwarded command failed');
        await queue.complete(command.id, replica, { status: 'failed', error });
      }
    }
  }
}
