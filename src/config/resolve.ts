import type { z } from 'zod';
import type { MigrationSource } from './signal-schemas.ts';
import type { ErrorRate, Latency } from './error-rate-schema.ts';
import type { Config, GuardSettings, Mode, Probe, RollbackSettings, VerifySettings } from './schema.ts';

/** A target with the config's defaults filled in: what the engine works with. */
export interface ResolvedTarget {
  name: string;
  app: string;
  environment: string;
  /** The configured mode (global unless the target sets its own); operators can change it at run time. */
  mode: z.infer<typeof Mode>;
  /** Paused in the config file; operators can resume at run time. */
  paused: boolean;
  probes: Probe[];
  migrations?: MigrationSource;
  errorRate?: ErrorRate;
  latency?: Latency;
  guard: z.infer<typeof GuardSettings>;
  verify: z.infer<typeof VerifySettings>;
  rollback: z.infer<typeof RollbackSettings>;
}

export function resolveTargets(config: Config): ResolvedTarget[] {
  const { defaults } = config;
  return config.targets.map((t) => ({
    name: t.name,
    app: t.app ?? t.name,
    environment: t.environment,
    mode: t.mode ?? config.mode,
    paused: t.paused,
    probes: t.probes,
    ...(t.migrations && { migrations: t.migrations }),
    ...(t.errorRate && { errorRate: t.errorRate }),
    ...(t.latency && { latency: t.latency }),
    guard: { ...defaults.guard, ...t.guard },
    verify: { ...defaults.verify, ...t.verify },
    rollback: { ...defaults.rollback, ...t.rollback },
  }));
}
