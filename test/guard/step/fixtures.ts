import { DEFAULT_ERROR_RATE_SPEC } from '../../../src/analysis/error-rate-spec.ts';
import type { ResolvedTarget } from '../../../src/config/resolve.ts';
import type { RollbackPolicy } from '../../../src/domain/policy.ts';
import type { ReleaseView } from '../../../src/domain/target-state.ts';
import type { Measurement } from '../../../src/domain/measurement.ts';

export const target: ResolvedTarget = {
  name: 'api',
  app: 'api',
  environment: 'production',
  mode: 'auto',
  paused: false,
  probes: [
    { name: 'health', type: 'http', url: 'http://127.0.0.1:1/api/v1/health', method: 'GET', expectStatus: [200], timeout: 1000 },
    { name: 'ready', type: 'http', url: 'http://127.0.0.1:1/api/v1/ready', method: 'GET', expectStatus: [200], timeout: 1000 },
  ],
  guard: { watchWindow: 60_000, probeInterval: 5_000, failureThreshold: 3, minConclusiveRounds: 3, stuckAfter: 900_000 },
  verify: { timeout: 30_000, successes: 2 },
  rollback: {
    strategy: 'immediate',
    waitTimeout: 60_000,
    reissueAfter: 60_000,
    cooldown: 600_000,
    maxAutomatic: 3,
    maxAutomaticPeriod: 3_600_000,
    deployAttempts: 3,
    retryBackoff: 10_000,
    retryBackoffMax: 120_000,
  },
};

/** Resolved error-rate settings: the defaults but a 3-minute maxWindow, read from a scrape URL. */
export const errorRate: NonNullable<ResolvedTarget['errorRate']> = {
  source: { type: 'scrape', urls: ['http://127.0.0.1:1/metrics'], metric: 'http_requests_total', statusLabel: 'status', errorStatus: '5..', timeout: 1000 },
  ...DEFAULT_ERROR_RATE_SPEC,
  requireTraffic: true,
  minBaselineRequests: 200,
  maxWindow: 180_000,
};

export const image = (n: number) => `registry.fly.io/api:deployment-${String(n).padStart(26, '0')}`;

export function release(version: number, over: Partial<ReleaseView> = {}): ReleaseView {
  return {
    version,
    imageRef: image(version),
    status: 'complete',
    createdAt: version * 1000,
    user: 'ci@example.com',
    description: 'Release',
    verdict: 'pending',
    origin: 'deploy',
    ...over,
  };
}

export function round(phase: Measurement['phase'], at = 0, checks = ['health', 'ready', 'machines-on-image']): Measurement[] {
  return checks.map((check) => ({ check, phase, at, durationMs: 3, detail: phase === 'successful' ? '200 in 3ms' : '503 (expected 200)' }));
}

export const policy: RollbackPolicy = {
  mode: 'auto',
  paused: false,
  cooldownMs: 600_000,
  maxRollbacks: { count: 3, periodMs: 3_600_000 },
};
