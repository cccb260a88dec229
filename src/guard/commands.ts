/**
 * Operator commands as data, so the same command can be applied by this process's runner or queued
 * in the store for the replica that guards the target (docs/ha.md), and their outcome: applied, or
 * refused with a code the guard decided.
 */
import type { Decision, Refusal } from '../domain/decision.ts';
import type { TargetState } from '../domain/target-state.ts';
import type { GuardEvent, RollbackRequest } from './step/context.ts';

export type TargetCommand =
  | { kind: 'approve'; by: string }
  | { kind: 'veto'; by: string }
  | { kind: 'abort'; by: string }
  | { kind: 'rollback'; request: RollbackRequest; by: string }
  | { kind: 'mark'; version: number; verdict: 'good' | 'bad'; by: string }
  /** Look at the releases now (a deploy was announced), whatever the machines say. */
  | { kind: 'poll'; by: string };

export type CommandOutcome =
  | { applied: true; state: TargetState; decisions: Decision[] }
  | { applied: false; state: TargetState; refusal: Refusal };

/** The guard event a command becomes (`poll` is not one: it reads the platform first). */
export function commandEvent(command: Exclude<TargetCommand, { kind: 'poll' }>): GuardEvent {
  switch (command.kind) {
    case 'approve':
      return { type: 'approve', by: command.by };
    case 'veto':
      return { type: 'veto', by: command.by };
    case 'abort':
      return { type: 'abort', by: command.by };
    case 'rollback':
      return { type: 'manual-rollback', by: command.by, request: command.request };
    case 'mark':
      return { type: 'mark', by: command.by, version: command.version, verdict: command.verdict };
  }
}

/** What a queued command carries besides its kind and author. */
export function commandParams(command: TargetCommand): Record<string, unknown> {
  const { kind: _kind, by: _by, ...params } = command;
  return params;
}
