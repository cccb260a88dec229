/**
 * A real admin server on 127.0.0.1:0 (the admin harness, listening) and a runner for operator
 * commands in-process that captures what they print.
 */
import { runClient } from '../../src/client/run-client.ts';
import { harness, type Harness, type HarnessOptions } from '../admin/harness.ts';

export interface Served extends Harness {
  url: string;
}

export async function serve(options: HarnessOptions = {}): Promise<Served> {
  const h = await harness(options);
  const url = await h.app.listen({ host: '127.0.0.1', port: 0 });
  return { ...h, url };
}

export interface Ran {
  code: number;
  out: string;
  err: string;
}

/** Runs `rollback-watchdog <command> ...args` in-process against `url` with `token`. */
export async function cmd(url: string, token: string | undefined, command: string, ...args: string[]): Promise<Ran> {
  let out = '';
  let err = '';
  const code = await runClient(command, args, {
    env: { ROLLBACK_WATCHDOG_URL: url, ...(token && { ROLLBACK_WATCHDOG_TOKEN: token }) },
    out: (t) => (out += t),
    err: (t) => (err += t),
    now: () => Date.now(),
  });
  return { code, out, err };
}
