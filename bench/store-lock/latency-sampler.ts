/**
 * Open-loop latency sampling: a request goes out every `everyMs` whether or not the earlier ones
 * were answered, so a daemon that stalls for seconds shows every request it kept waiting (a
 * closed loop would send one and record one slow answer per stall: coordinated omission).
 */
import { request } from 'undici';

export interface Sampler {
  /** Stops sending, waits for the answers still out, and returns every latency in ms (a failure is Infinity). */
  stop(): Promise<number[]>;
}

export function sampleLatency(url: string, everyMs: number): Sampler {
  const latencies: number[] = [];
  const pending = new Set<Promise<void>>();
  const send = () => {
    const started = performance.now();
    const one = (async () => {
      try {
        const res = await request(url);
        await res.body.text();
        latencies.push(res.statusCode === 200 ? performance.now() - started : Number.POSITIVE_INFINITY);
      } catch {
        latencies.push(Number.POSITIVE_INFINITY);
      }
    })();
    pending.add(one);
    void one.finally(() => pending.delete(one));
  };
  const timer = setInterval(send, everyMs);
  send();
  return {
    async stop() {
      clearInterval(timer);
      await Promise.all(pending);
      return latencies;
    },
  };
}

/** The q-quantile of `values` (nearest rank), NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
