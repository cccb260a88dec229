/**
 * Open-loop latency sampling: a request goes out every `everyMs` whether or not the earlier ones
 * were answered, so a daemon that stalls for seconds shows every request it kept waiting (a
 * closed loop would send one and record one slow answer per stall: coordinated omission).
 */
import { request } from 'undici';

export interface Samples {
  /** Answer times in ms of the requests answered 200. */
  latencies: number[];
  /** The others, by what went wrong (a status, an error code). */
  failures: Record<string, number>;
}

export interface Sampler {
  /** Stops sending, waits for the answers still out, and returns what they took. */
  stop(): Promise<Samples>;
}

export function sampleLatency(url: string, everyMs: number): Sampler {
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  const failed = (why: string) => (failures[why] = (failures[why] ?? 0) + 1);
  const pending = new Set<Promise<void>>();
  const send = () => {
    const started = performance.now();
    const one = (async () => {
      try {
        const res = await request(url);
        await res.body.text();
        if (res.statusCode === 200) latencies.push(performance.now() - started);
        else failed(`HTTP ${res.statusCode}`);
      } catch (err) {
        failed((err as { code?: string }).code ?? (err as Error).message);
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
      return { latencies, failures };
    },
  };
}

/** The q-quantile of `values` (nearest rank), NaN when empty. */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))] as number;
}
