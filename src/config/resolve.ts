import type { z } from 'zod';
import type { Config, GuardSettings, Probe, RollbackSettings, VerifySettings } from './schema.ts';

/** A target with the config's defaults filled in: what the engine works with. */
export interface ResolvedTarget {
  name: string;
  app: string;
  environment: string;
  probes: Probe[];
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
    probes: t.probes,
    guard: { ...defaults.guard, ...t.guard },
    verify: { ...defaults.verify, ...t.verify },
    rollback: { ...defaults.rollback, ...t.rollback },
  }));
}
