/**
 * The smoke test the benchmark's watchdog runs: a user's journey reduced to "the home page answers
 * 2xx within its latency budget". Exit 0 when it does, 1 otherwise (the watchdog judges by exit code).
 *
 *   node bench/detection/e2e-smoke-check.ts URL [BUDGET_MS]
 */
const [url, budget = '1000'] = process.argv.slice(2);
if (url === undefined) {
  console.error('usage: e2e-smoke-check.ts URL [BUDGET_MS]');
  process.exit(2);
}
const started = performance.now();
try {
  const res = await fetch(url, { signal: AbortSignal.timeout(Number(budget)) });
  await res.arrayBuffer();
  if (!res.ok) {
    console.error(`${url} answered ${res.status}`);
    process.exit(1);
  }
  console.log(`${url} answered ${res.status} in ${Math.round(performance.now() - started)} ms`);
} catch (err) {
  // A timeout is the failure this smoke test exists for: users gave up on the page.
  console.error(`${url} failed after ${Math.round(performance.now() - started)} ms: ${(err as Error).message}`);
  process.exit(1);
}
