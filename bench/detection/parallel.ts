/**
 * Runs the suite's tasks on worker threads, a task at a time per worker, and reports progress on
 * stderr. The machine is shared, so the default is modest (2 workers).
 */
import { Worker } from 'node:worker_threads';
import type { Task, Timing } from './cells.ts';
import type { Tally } from './suite.ts';

export interface TaskMessage {
  seed: number;
  task: Task;
  timing: Timing;
}

export async function runTasksInWorkers(seed: number, tasks: readonly Task[], timing: Timing, workers: number): Promise<Tally[]> {
  const total = tasks.reduce((sum, t) => sum + (t.to - t.from), 0);
  const results: Tally[] = [];
  let next = 0;
  let done = 0;
  const started = performance.now();
  const progress = () => {
    const seconds = (performance.now() - started) / 1000;
    const eta = done > 0 ? (seconds * (total - done)) / done : Number.NaN;
    process.stderr.write(`\r${done}/${total} deploys, ${seconds.toFixed(0)} s, about ${Number.isFinite(eta) ? eta.toFixed(0) : '?'} s left   `);
  };
  const script = new URL('./worker.ts', import.meta.url);
  const runWorker = () =>
    new Promise<void>((resolve, reject) => {
      const worker = new Worker(script);
      const feed = () => {
        const task = tasks[next++];
        if (task === undefined) {
          void worker.terminate().then(() => resolve());
          return;
        }
        worker.postMessage({ seed, task, timing } satisfies TaskMessage);
      };
      worker.on('message', (tally: Tally) => {
        results.push(tally);
        done += tally.deploys;
        progress();
        feed();
      });
      worker.on('error', reject);
      feed();
    });
  await Promise.all(Array.from({ length: Math.max(1, workers) }, runWorker));
  process.stderr.write('\n');
  return results;
}
