/**
 * The fake app's Prometheus metrics: requests by status code, a latency histogram and a
 * worker-style jobs counter. Counters only go up (unless `reset()`, a process restart), which is
 * exactly what the watchdog's rate maths must cope with. Rendering is the text exposition format.
 */

/** prom-client's default buckets, in seconds. */
export const LATENCY_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10] as const;

export class AppMetrics {
  #requests = new Map<number, number>();
  #bucketCounts: number[] = LATENCY_BUCKETS.map(() => 0);
  #latencySum = 0;
  #latencyCount = 0;
  #jobs = { ok: 0, failed: 0 };

  /** Counts `count` requests that answered `status` after `seconds`. */
  recordRequests(status: number, seconds: number, count = 1): void {
    if (count <= 0) return;
    this.#requests.set(status, (this.#requests.get(status) ?? 0) + count);
    LATENCY_BUCKETS.forEach((le, i) => {
      if (seconds <= le) this.#bucketCounts[i] = (this.#bucketCounts[i] ?? 0) + count;
    });
    this.#latencySum += seconds * count;
    this.#latencyCount += count;
  }

  recordJobs(ok: number, failed: number): void {
    this.#jobs.ok += ok;
    this.#jobs.failed += failed;
  }

  requestCount(status?: number): number {
    if (status !== undefined) return this.#requests.get(status) ?? 0;
    let total = 0;
    for (const n of this.#requests.values()) total += n;
    return total;
  }

  /** A restarted process starts its counters from zero. */
  reset(): void {
    this.#requests.clear();
    this.#bucketCounts = LATENCY_BUCKETS.map(() => 0);
    this.#latencySum = 0;
    this.#latencyCount = 0;
    this.#jobs = { ok: 0, failed: 0 };
  }

  render(): string {
    const lines: string[] = [
      '# HELP http_requests_total Total HTTP requests by response status code.',
      '# TYPE http_requests_total counter',
    ];
    for (const [status, n] of [...this.#requests].sort(([a], [b]) => a - b)) {
      lines.push(`http_requests_total{status="${status}"} ${n}`);
    }
    lines.push(
      '# HELP http_request_duration_seconds HTTP request latency in seconds.',
      '# TYPE http_request_duration_seconds histogram',
      ...LATENCY_BUCKETS.map((le, i) => `http_request_duration_seconds_bucket{le="${le}"} ${this.#bucketCounts[i] ?? 0}`),
      `http_request_duration_seconds_bucket{le="+Inf"} ${this.#latencyCount}`,
      `http_request_duration_seconds_sum ${roundSum(this.#latencySum)}`,
      `http_request_duration_seconds_count ${this.#latencyCount}`,
      '# HELP jobs_processed_total Background jobs processed by result.',
      '# TYPE jobs_processed_total counter',
      `jobs_processed_total{result="ok"} ${this.#jobs.ok}`,
      `jobs_processed_total{result="failed"} ${this.#jobs.failed}`,
    );
    return `${lines.join('\n')}\n`;
  }
}

// Float noise like 12.300000000000002 is legal but ugly in a test failure diff.
function roundSum(n: number): number {
  return Math.round(n * 1e6) / 1e6;
}
