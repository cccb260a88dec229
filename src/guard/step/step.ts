/**
 * The guard's decision logic as one pure function: state + event + context in; next state,
 * decisions, writes and effects out. No I/O, no clock reads: the runner writes the state and the
 * writes in one transaction and only then performs the effects, so every effect is preceded by a
 * durable record of the decision that led to it.
 *
 * The handlers live beside this file by concern: releases (detection, recovery), measurements
 * (judging, verifying), the error rate, rollback (rails, deploys), operator commands, groups.
 */
import type { TargetState } from '../../domain/target-state.ts';
import { type GuardEvent, type StepContext, type StepResult } from './context.ts';
import { notificationFor } from './notifications.ts';
import { onApprove, onAbort, onManualRollback, onMark, onVeto } from './on-commands.ts';
import { onCounters } from './on-error-rate.ts';
import { onGroupEnded, onGroupPlanned, onGroupRefused, onGroupRollback } from './on-group.ts';
import { onLatency, onProbeRound, onWindowTick } from './on-measurements.ts';
import { onReleases } from './on-releases.ts';
import { onDeployResult, onProceed, onRetryTick } from './on-rollback.ts';

export function step(state: TargetState, event: GuardEvent, ctx: StepContext): StepResult {
  const r = handle(state, event, ctx);
  const told = r.decisions.flatMap((d) => {
    const event = notificationFor(d, state, r.state, ctx);
    return event ? [{ type: 'notify' as const, event }] : [];
  });
  return told.length === 0 ? r : { ...r, effects: [...r.effects, ...told] };
}

function handle(state: TargetState, event: GuardEvent, ctx: StepContext): StepResult {
  switch (event.type) {
    case 'releases':
      return onReleases(state, event.releases, ctx);
    case 'probe-round':
      return onProbeRound(state, event.measurements, ctx, event.platformHealthy);
    case 'deploy-result':
      return onDeployResult(state, event, ctx);
    case 'proceed':
      return onProceed(state, ctx);
    case 'counters':
      return onCounters(state, event.readout, ctx);
    case 'latency':
      return onLatency(state, event.readout, ctx);
    case 'tick': {
      const windowed = onWindowTick(state, ctx);
      if (windowed.state !== state || windowed.decisions.length > 0) return windowed;
      return onRetryTick(state, ctx);
    }
    case 'approve':
      return onApprove(state, event.by, ctx);
    case 'veto':
      return onVeto(state, event.by, ctx);
    case 'manual-rollback':
      return onManualRollback(state, event.request, event.by, ctx);
    case 'abort':
      return onAbort(state, event.by, ctx);
    case 'mark':
      return onMark(state, event.version, event.verdict, event.by, ctx);
    case 'group-planned':
      return onGroupPlanned(state, event.group, event.steps, ctx);
    case 'group-refused':
      return onGroupRefused(state, event.group, event.reason, ctx);
    case 'group-rollback':
      return onGroupRollback(state, event.group, event.to, event.reason, ctx);
    case 'group-ended':
      return onGroupEnded(state, event.group, event.rolledBack, event.reason);
  }
}
