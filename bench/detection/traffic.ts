/**
 * Draws per-interval request and error counts under the noise model in scenarios.ts.
 */
import { binomial, poisson } from './discrete.ts';
import { meanOneGamma, normal, type Uniform } from './random.ts';
import type { NoiseModel } from './scenarios.ts';

export interface Counts {
  requests: number;
  errors: number;
}

/**
 * An endless stream of intervals for one release: call it once per interval. The load drifts as a
 * stationary AR(1) in log space (started from its stationary law, so there is no warm-up); the error
 * rate is `errorRate` times an independent mean-1 Gamma multiplier per interval. A rate of 1 (hard
 * down) is not jittered: a dead release fails every request, not "about" every request.
 */
export function trafficStream(u: Uniform, noise: NoiseModel, requestsPerSecond: number, intervalMs: number, errorRate: number): () => Counts {
  const phi = noise.trafficAutocorrelation;
  const innovationSd = noise.trafficLogSd * Math.sqrt(1 - phi * phi);
  let logLoad = noise.trafficLogSd * normal(u);
  // E[exp(log T)] = exp(σ²/2) for a normal log T; subtracting σ²/2 keeps the mean load at the nominal rps.
  const meanCorrection = (noise.trafficLogSd * noise.trafficLogSd) / 2;
  const meanRequests = (requestsPerSecond * intervalMs) / 1000;
  const jitter = Number.isFinite(noise.errorJitterShape) && errorRate < 1;
  return () => {
    logLoad = phi * logLoad + innovationSd * normal(u);
    const requests = poisson(u, meanRequests * Math.exp(logLoad - meanCorrection));
    const rate = jitter ? Math.min(1, errorRate * meanOneGamma(u, noise.errorJitterShape)) : errorRate;
    return { requests, errors: binomial(u, requests, rate) };
  };
}

/** Total counts of `intervals` consecutive intervals of one stream: the previous release's baseline. */
export function sumIntervals(next: () => Counts, intervals: number): Counts {
  let requests = 0;
  let errors = 0;
  for (let i = 0; i < intervals; i++) {
    const c = next();
    requests += c.requests;
    errors += c.errors;
  }
  return { requests, errors };
}
