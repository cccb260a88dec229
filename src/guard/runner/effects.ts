/**
 * What happens once a transition is durable: its decisions are logged and counted, and its
 * effects performed. Each effect that runs in the background handles its own failure, so none can
 * end the process or stop the guard.
 */
import type { ResolvedTarget } from '../../config/resolve.ts';
import { exhaustive, type Decision, type Effect } from '../../domain/decision.ts';
import type { NotifyEvent } from '../../domain/notification.ts';
import type { ReleaseRef, TargetState } from '../../domain/target-state.ts';
import type { Clock } from '../../infra/clock.ts';
import type { Logger } from '../../infra/log.ts';
import { SecretRegistry } from '../../infra/secrets.ts';
import type { TargetLabels, WatchdogMetrics } from '../../metrics/recorder.ts';
import type { Platform } from '../../platform/types.ts';
import type { Store } from '../../store/types.ts';
import { describe, journalData } from '../step/describe.ts';
import { countDecision } from './decision-metrics.ts';
import type { RollbackDeployer } from './rollback-deployer.ts';
import { attachFlyLogs, recordMigrationMarker } from './side-tasks.ts';

export interface EffectsDeps {
  target: ResolvedTarget;
  platform: Platform;
  store: Store;
  clock: Clock;
  logger: Logger;
  metrics: WatchdogMetrics;
  labels: TargetLabels;
  deployer: RollbackDeployer;
  stopped: AbortSignal;
  secrets?: SecretRegistry;
  /** Feeds `proceed` into the guard's queue. */
  proceed: () => void;
  /** Something the store keeps about releases changed outside a transition (a migration marker). */
  releasesChanged: () => void;
  /** Hands a group rollback to the coordinator; must return at once and never throw. */
  coordinateGroup?: (group: string, from: ReleaseRef) => void;
  /** Tells people; must return at once and never throw. */
  notify?: (event: NotifyEvent) => void;
}

export class Effects {
  readonly #deps: EffectsDeps;

  constructor(deps: EffectsDeps) {
    this.#deps = deps;
  }

  report(decisions: readonly Decision[], before: TargetState, after: TargetState, now: number): void {
    const { logger, metrics, labels } = this.#deps;
    for (const d of decisions) {
      const { level, message } = describe(d);
      logger[level]({ decision: d.kind, phase: after.phase, ...journalData(d) }, message);
      countDecision(d, { metrics, labels, before, after, now });
    }
  }

  perform(effect: Effect): void {
    const deps = this.#deps;
    switch (effect.type) {
      case 'deploy':
        return deps.deployer.start(effect.imageRef);
      case 'proceed':
        return deps.proceed();
      case 'read-migration-marker': {
        const migrations = deps.target.migrations;
        if (!migrations) return;
        const secrets = deps.secrets ?? new SecretRegistry();
        void recordMigrationMarker(migrations, { store: deps.store, secrets, log: deps.logger }, deps.target.name, effect.version, deps.stopped).finally(deps.releasesChanged);
        return;
      }
      case 'fetch-logs':
        void attachFlyLogs(deps.platform, deps.store, deps.target.app, effect.incidentId, deps.clock, deps.logger).then((read) => {
          if (!read) deps.metrics.incPlatformError('logs');
        });
        return;
      case 'coordinate-group':
        return deps.coordinateGroup?.(effect.group, effect.from);
      case 'notify':
        return deps.notify?.(effect.event);
    }
    exhaustive(effect);
  }
}
