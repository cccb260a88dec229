/** What the watchdog is built from: its targets and groups, the platform, the store, and the process's services. */
import type { ResolvedTarget } from '../config/resolve.ts';
import type { NotifyEvent } from '../domain/notification.ts';
import type { LeaseManager, LeaseManagerDeps } from '../ha/lease-manager.ts';
import type { CommandQueue } from '../ha/types.ts';
import type { Clock } from '../infra/clock.ts';
import type { Logger } from '../infra/log.ts';
import type { Readiness } from '../infra/readiness.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import type { WatchdogMetrics } from '../metrics/recorder.ts';
import type { Platform } from '../platform/types.ts';
import type { TargetSignals } from '../signals/target-signals.ts';
import type { Store, Transition } from '../store/types.ts';
import type { GroupSpec } from './step/group-plan.ts';

export interface WatchdogDeps {
  targets: readonly ResolvedTarget[];
  groups?: readonly GroupSpec[];
  pollSchedule: string;
  platform: Platform;
  store: Store;
  /** Each target's signal sources (probes of every type, counters, latency, connectivity). */
  signals: (target: ResolvedTarget) => TargetSignals;
  clock: Clock;
  logger: Logger;
  metrics: WatchdogMetrics;
  postmortemAfterMs: number;
  notify?: (event: NotifyEvent) => void;
  afterTransition?: (transition: Transition) => void;
  secrets?: SecretRegistry;
  /** Several replicas: shard leases and the queue of forwarded commands. Absent: this process guards everything. */
  replication?: Replication;
  /** Where the runners say they cannot take events in or read releases. */
  readiness?: Readiness;
  /** See RunnerDeps.relistAfterMs. */
  relistAfterMs?: number;
}

export interface Replication {
  /** Builds the lease manager for the watchdog's shards, with the watchdog's hooks wired in. */
  leases: (hooks: Pick<LeaseManagerDeps, 'isQuiet' | 'onAcquired' | 'onLost'>, shards: string[]) => LeaseManager;
  commands: CommandQueue;
  /** How often the owner looks for forwarded commands and reloads operator controls. Default 500 ms. */
  commandPollMs?: number;
  /** How long a forwarded command may take before the request gives up. Default 20 s. */
  forwardTimeoutMs?: number;
}

