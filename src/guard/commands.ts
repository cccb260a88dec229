/**
 * Operator decisions as data, so the same decision can be applied by this process's runner or
 * queued in the store for the replica that guards the target (docs/ha.md).
 */
import type { ReleaseRef, TargetState } from '../domain/target-state.ts';
import type { TargetRunner } from './target-runner.ts';

export type TargetCommand =
  | { kind: 'approve'; by: string }
  | { kind: 'veto'; by: string }
  | { kind: 'abort'; by: string }
  | { kind: 'rollback'; to: ReleaseRef; by: string }
  | { kind: 'mark'; version: number; verdict: 'good' | 'bad'; by: string }
  | { kind: 'poll'; by: string };

/** Applies a decision to a runner and resolves with the state after it. */
export async function runCommand(runner: TargetRunner, command: TargetCommand): Promise<TargetState> {
  switch (command.kind) {
    case 'approve':
      return runner.approve(command.by);
    case 'veto':
      return runner.veto(command.by);
    case 'abort':
      return runner.abort(command.by);
    case 'rollback':
      return runner.rollbackTo({ version: command.to.version, imageRef: command.to.imageRef }, command.by);
    case 'mark':
      await runner.markRelease(command.version, command.verdict, command.by);
      return runner.state;
    case 'poll':
      // Forwarded from a replica that was told of a deploy: look now, whatever the machines say.
      await runner.pollReleases({ fresh: true });
      return runner.state;
  }
}

/** What a queued command carries besides its kind and author. */
export function commandParams(command: TargetCommand): Record<string, unknown> {
  const { kind: _kind, by: _by, ...params } = command;
  return params;
}
