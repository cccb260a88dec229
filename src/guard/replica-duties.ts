/**
 * What a replica does besides guarding its own targets, every command poll: reload the operator
 * controls others stored, carry out the commands forwarded to the targets it guards, and follow
 * the journal so its events feed also shows what the other replicas decide.
 */
import type { Clock } from '../infra/clock.ts';
import type { Logger } from '../infra/log.ts';
import type { JournalTail } from '../ha/journal-tail.ts';
import type { CommandRouter } from './command-router.ts';
import type { OperatorControls } from './controls.ts';

export interface ReplicaDutiesDeps {
  clock: Clock;
  logger: Logger;
  controls: OperatorControls;
  router: CommandRouter;
  tail: JournalTail;
  replica: string;
  guarded: () => string[];
  pollMs: number;
}

/** Runs until `signal` aborts; a failed round is logged and tried again at the next poll. */
export async function performReplicaDuties(deps: ReplicaDutiesDeps, signal: AbortSignal): Promise<void> {
  while (!signal.aborted) {
    try {
      await deps.clock.sleep(deps.pollMs, signal);
    } catch {
      return;
    }
    try {
      await deps.controls.reload();
      await deps.router.serve(deps.replica, deps.guarded());
      await deps.tail.poll();
    } catch (err) {
      deps.logger.warn({ err }, 'forwarded commands: poll failed; retrying');
    }
  }
}
