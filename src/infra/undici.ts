/**
 * undici's `request`, loaded on its first call rather than with the daemon. Guarding itself never
 * needs undici (probes and scrapes use node:http, see infra/http/request-once.ts); notifications,
 * Prometheus queries, migration markers and the connectivity check do. Imported up front, undici
 * cost every daemon 7.5 MB of RSS, 3.5 MB of it heap (measured after the other dependencies).
 */
import type * as Undici from 'undici';

let loading: Promise<typeof Undici> | undefined;

function load(): Promise<typeof Undici> {
  // A failed import (files replaced under a running daemon) is not cached: the next call retries.
  loading ??= import('undici').catch((err: unknown) => {
    loading = undefined;
    throw err;
  });
  return loading;
}

/** undici's `request`, with the same signature and behaviour. */
export const request = (async (...args: Parameters<typeof Undici.request>) => (await load()).request(...args)) as typeof Undici.request;
