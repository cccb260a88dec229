/** Worker-thread entry of parallel.ts: runs one task per message and posts its tally back. */
import { parentPort } from 'node:worker_threads';
import type { TaskMessage } from './parallel.ts';
import { runTask } from './suite.ts';

parentPort?.on('message', (m: TaskMessage) => parentPort?.postMessage(runTask(m.seed, m.task, m.timing)));
