/**
 * Shared harness for the statistical tests: simulated deploys with a check after every batch, and
 * the binomial tail that turns "rejections ≤ alpha" into a bound that cannot flake.
 */
import { binomial, poisson } from '../../bench/detection/discrete.ts';
import { mulberry32 } from '../../bench/detection/random.ts';

export interface SequentialRun {
  /** Deploys simulated, each with its own stream from the seed. */
  runs: number;
  seed: number;
  /** True error probability of every request. */
  trueRate: number;
  /** Mean requests per batch (Poisson), i.e. per check. */
  batchMean: number;
  /** Checks per deploy. */
  batches: number;
  /** Whether the detector rejects on cumulative counts after a batch. */
  rejects: (requests: number, errors: number) => boolean;
}

export interface SequentialResult {
  rejections: number;
  /** Cumulative requests at each rejection (ascending), for time-to-detect assertions. */
  requestsAtRejection: number[];
}

/** Runs every deploy to its first rejection or its last batch. Deterministic given the seed. */
export function simulateSequentialRuns(o: SequentialRun): SequentialResult {
  const u = mulberry32(o.seed);
  const requestsAtRejection: number[] = [];
  for (let r = 0; r < o.runs; r++) {
    let requests = 0;
    let errors = 0;
    for (let b = 0; b < o.batches; b++) {
      const batch = poisson(u, o.batchMean);
      requests += batch;
      errors += binomial(u, batch, o.trueRate);
      if (o.rejects(requests, errors)) {
        requestsAtRejection.push(requests);
        break;
      }
    }
  }
  return { rejections: requestsAtRejection.length, requestsAtRejection: requestsAtRejection.sort((a, b) => a - b) };
}

/**
 * The smallest k with P(Binomial(n, p) > k) ≤ tail. If the true per-deploy false-rollback probability
 * is at most p, more than k rejections in n deploys happens with probability ≤ tail (1e-9 here), so
 * an assertion `rejections ≤ k` fails only when the guarantee is really broken.
 */
export function binomialUpperQuantile(n: number, p: number, tail: number): number {
  let pmf = Math.exp(n * Math.log1p(-p));
  let cdf = pmf;
  let k = 0;
  while (1 - cdf > tail && k < n) {
    pmf *= ((n - k) / (k + 1)) * (p / (1 - p));
    k += 1;
    cdf += pmf;
  }
  return k;
}
