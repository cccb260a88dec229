/** Running the pure step in tests: a full context, the `proceed` the runner feeds back, and views of the result. */
import type { Effect, Write } from '../../../src/domain/decision.ts';
import type { RollbackPolicy } from '../../../src/domain/policy.ts';
import type { ReleaseView, TargetState } from '../../../src/domain/target-state.ts';
import type { GuardEvent, Outputs, StepContext, StepResult } from '../../../src/guard/step/context.ts';
import { step } from '../../../src/guard/step/step.ts';
import { policy, target } from './fixtures.ts';

export interface RunOptions extends Partial<Omit<StepContext, 'now' | 'history'>> {
  policy?: RollbackPolicy;
}

export function context(now: number, history: readonly ReleaseView[] = [], o: RunOptions = {}): StepContext {
  return { target, deployInFlight: false, policy, postmortemAfterMs: 300_000, ...o, now, history };
}

/** One step, then the `proceed` it may ask for, as the runner does right after storing it. */
export function run(state: TargetState, event: GuardEvent, now: number, history: readonly ReleaseView[] = [], o: RunOptions = {}): StepResult {
  const ctx = context(now, history, o);
  const first = step(state, event, ctx);
  if (!first.effects.some((e) => e.type === 'proceed')) return first;
  const second = step(first.state, { type: 'proceed' }, ctx);
  return {
    ...second,
    decisions: [...first.decisions, ...second.decisions],
    writes: [...first.writes, ...second.writes],
    effects: [...first.effects.filter((e) => e.type !== 'proceed'), ...second.effects],
  };
}

export const kinds = (r: Outputs) => r.decisions.map((d) => d.kind);
export const deploys = (r: Outputs) => r.effects.filter((e): e is Extract<Effect, { type: 'deploy' }> => e.type === 'deploy');
export const verdicts = (r: Outputs) => r.writes.flatMap((w: Write) => (w.type === 'set-verdict' ? [`v${w.version}:${w.verdict}`] : []));
/** Nothing decided, written or done (the state may still have moved). */
export const nothing = (r: Outputs) => r.decisions.length + r.writes.length + r.effects.length === 0;
