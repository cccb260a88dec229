/**
 * Builds one target's signal sources from its config: the probe of each type, the error-rate
 * counters, the latency source and the connectivity self-check. The guard runner gets these as
 * plain functions, so tests can hand it fakes.
 */
import type { Clock } from '../infra/clock.ts';
import type { ResolvedTarget } from '../config/resolve.ts';
import type { Probe } from '../config/schema.ts';
import type { Platform } from '../platform/types.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import { ConnectivityProvider } from './connectivity.ts';
import { HttpProbeProvider } from './http-probe.ts';
import { PlatformChecksProvider } from './platform-checks.ts';
import { PrometheusCounterSource, PrometheusLatencySource } from './prometheus.ts';
import { ScrapeCounterSource } from './scrape.ts';
import { collectSignalSecrets } from './signal-secrets.ts';
import { SmokeTestProvider } from './smoke-test.ts';
import type { CounterSource, LatencySource } from './types.ts';
import type { Measurement } from '../domain/measurement.ts';

export interface TargetSignals {
  runProbe: (probe: Probe, signal: AbortSignal) => Promise<Measurement>;
  counterSource?: CounterSource;
  latencySource?: LatencySource;
  checkConnectivity?: (signal: AbortSignal) => Promise<Measurement>;
}

export interface SignalDeps {
  clock: Clock;
  secrets: SecretRegistry;
  platform: Platform;
  /** The watchdog's own network self-check target (default the Fly API). */
  connectivity: { url: string; timeout: number };
}

export function targetSignals(target: ResolvedTarget, deps: SignalDeps): TargetSignals {
  const { clock, secrets, platform } = deps;
  const http = new HttpProbeProvider(clock, secrets);
  const smoke = new SmokeTestProvider({ clock, secrets });
  const machines = new PlatformChecksProvider({ platform, app: target.app, clock, secrets });
  const connectivity = new ConnectivityProvider(clock);
  for (const probe of target.probes) if (probe.type === 'smoke' || probe.type === 'http') collectSignalSecrets(probe, secrets);
  if (target.migrations) collectSignalSecrets(target.migrations, secrets);
  if (target.errorRate) collectSignalSecrets(target.errorRate.source, secrets);
  if (target.latency) collectSignalSecrets(target.latency.source, secrets);
  const source = target.errorRate?.source;
  return {
    runProbe: (probe, signal) => {
      switch (probe.type) {
        case 'http':
          return http.run(probe, signal);
        case 'smoke':
          return smoke.run(probe, signal);
        case 'platform-checks':
          return machines.run(probe, signal);
      }
    },
    ...(source && {
      counterSource: source.type === 'prometheus' ? new PrometheusCounterSource(source, { clock, secrets }) : new ScrapeCounterSource(source, { clock, secrets }),
    }),
    ...(target.latency && { latencySource: new PrometheusLatencySource(target.latency.source, { clock, secrets }) }),
    checkConnectivity: (signal) => connectivity.run(deps.connectivity, signal),
  };
}
