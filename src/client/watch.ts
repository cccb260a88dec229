/**
 * `rollback-watchdog watch [--target NAME] [--json]`: follows GET /api/v1/events and prints one line
 * per event (state changes, decisions, probe results, error-rate readings) until interrupted. When
 * the stream drops (a daemon restart) it reconnects with Last-Event-ID; when the daemon can no longer
 * replay what was missed it says so and prints every target's current state instead.
 *
 * Same options as the other operator commands: --url or $ROLLBACK_WATCHDOG_URL, and the token from
 * $ROLLBACK_WATCHDOG_TOKEN only. Exit codes: 0 interrupted, 1 refused (401/403), 2 usage, 3 the daemon
 * could not be reached at all.
 */
import { parseArgs } from 'node:util';
import type { z } from 'zod';
import type { Status, TargetSummary } from '../admin/response-schema.ts';
import { hasCode } from '../infra/errors.ts';
import { AdminClient, ApiError } from './api-client.ts';
import { note } from './render.ts';
import { baseUrl, type ClientIo } from './run-client.ts';
import { followSse } from './sse-reader.ts';
import { safeDeep, terminalSafe } from './terminal-text.ts';
import { DEFAULT_URL } from './usage.ts';

export const WATCH_USAGE = 'watch [--target NAME] [--json]';

export interface WatchIo extends ClientIo {
  /** Aborting it ends the command (SIGINT). */
  signal: AbortSignal;
  /** Reconnect delays; tests shorten them. */
  backoff?: (attempt: number) => number;
}

/** One frame's data, as events-routes.ts sends it. */
export interface WatchEvent {
  id?: number;
  type: string;
  target?: string;
  at?: string;
  data?: Record<string, unknown>;
}

type Summary = z.infer<typeof TargetSummary>;

const time = (iso: string | undefined) => (iso ?? '').replace(/\.\d+Z$/, 'Z');
const pct = (x: unknown) => (typeof x === 'number' ? `${(x * 100).toFixed(2)}%` : '?');
const str = (x: unknown) => (typeof x === 'string' || typeof x === 'number' ? String(x) : '');

/** The line printed for one event (without the newline). Pure. */
export function formatEvent(e: WatchEvent, now: number): string {
  const d = e.data ?? {};
  const head = `${time(e.at)}  ${e.target ?? '-'}`;
  switch (e.type) {
    case 'state': {
      const s = d as unknown as Summary;
      const extra = [note(s, now), s.paused ? '[paused]' : ''].filter(Boolean).join(' ');
      return `${head}  state     ${s.phase}${s.current ? ` (running v${s.current.version})` : ''}${extra ? `: ${extra}` : ''}`;
    }
    case 'decision':
      return `${head}  decision  ${str(d.kind)}: ${str(d.message)}`;
    case 'measurement':
      if (d.kind === 'error-rate') {
        return `${head}  rate      v${str(d.version) || '?'} ${pct(d.rate)} (baseline ${pct(d.baselineRate)}, threshold ${pct(d.threshold)}; ${str(d.errors)}/${str(d.requests)} errors)`;
      }
      return `${head}  probe     ${str(d.check)} ${str(d.phase)}${d.detail ? `: ${str(d.detail)}` : ''}`;
    default:
      return `${head}  ${e.type}`;
  }
}

export async function runWatch(argv: string[], io: WatchIo): Promise<number> {
  let values: { url?: string | undefined; target?: string | undefined; json?: boolean | undefined; help?: boolean | undefined };
  try {
    ({ values } = parseArgs({
      args: argv,
      options: { url: { type: 'string' }, target: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (err) {
    io.err(`watch: ${(err as Error).message}\nusage: rollback-watchdog ${WATCH_USAGE} [--url URL]\n`);
    return 2;
  }
  if (values.help) {
    io.out(`usage: rollback-watchdog ${WATCH_USAGE} [--url URL]\n`);
    return 0;
  }
  const base = (values.url || io.env.ROLLBACK_WATCHDOG_URL || DEFAULT_URL).replace(/\/+$/, '');
  // The last filter: whatever reaches the terminal, server text included, drives nothing there.
  const out = (text: string) => io.out(terminalSafe(text));
  const err = (text: string) => io.err(terminalSafe(text));
  const token = io.env.ROLLBACK_WATCHDOG_TOKEN || undefined;
  const now = io.now ?? Date.now;
  const wanted = (target: string | undefined) => !values.target || target === values.target;
  const print = (e: WatchEvent) => out(`${values.json ? JSON.stringify(e) : formatEvent(e, now())}\n`);

  /** Every target's current state as `state` lines: the start, and the answer to a reset. */
  const snapshot = async () => {
    const client = new AdminClient({ url: base, token });
    try {
      const { body } = await client.get<z.infer<typeof Status>>('/api/v1/status');
      for (const t of body.targets) if (wanted(t.name)) print({ type: 'state', target: t.name, at: t.since, data: t });
    } finally {
      await client.close();
    }
  };

  try {
    baseUrl(base); // same checks as the other commands: http(s), no credentials in the URL
    await followSse({
      url: `${base}/api/v1/events`,
      token,
      signal: io.signal,
      ...(io.backoff && { backoff: io.backoff }),
      onOpen: async ({ reconnected }) => {
        if (reconnected) err('watch: reconnected\n');
        else await snapshot();
      },
      onRetry: ({ delayMs, reason }) => err(`watch: stream lost (${reason}); reconnecting in ${(delayMs / 1000).toFixed(1)}s\n`),
      onEvent: async (event) => {
        if (event.type === 'reset') {
          err('watch: the daemon cannot replay what was missed (it restarted?); current state follows\n');
          return snapshot();
        }
        let data: WatchEvent;
        try {
          data = safeDeep(JSON.parse(event.data)) as WatchEvent;
        } catch {
          return; // not one of the daemon's frames
        }
        if (wanted(data.target)) print(data);
      },
    });
    return 0;
  } catch (failure) {
    if (hasCode(failure, 'WD_ERR_CLIENT_USAGE')) {
      err(`watch: ${(failure as Error).message}\n`);
      return 2;
    }
    if (failure instanceof ApiError) {
      err(`watch refused: ${failure.code}: ${failure.message}\n`);
      return 1;
    }
    err(`${(failure as Error).message}\n${hasCode(failure, 'WD_ERR_DAEMON_UNREACHABLE') ? '(is the daemon running? set --url or $ROLLBACK_WATCHDOG_URL)\n' : ''}`);
    return hasCode(failure, 'WD_ERR_DAEMON_UNREACHABLE') ? 3 : 1;
  }
}

/** The command as the CLI runs it: stdout/stderr, and Ctrl-C (or SIGTERM) ends it with exit 0. */
export function runWatchProcess(argv: string[]): Promise<number> {
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  return runWatch(argv, {
    env: process.env,
    out: (text) => process.stdout.write(text),
    err: (text) => process.stderr.write(text),
    signal: stop.signal,
  }).finally(() => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  });
}
