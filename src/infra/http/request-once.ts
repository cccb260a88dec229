/**
 * One HTTP(S) request on a connection of its own, closed after the answer: what a probe needs,
 * since a pooled socket to a machine that has since been replaced would test the old machine, not
 * the release being judged.
 *
 * Why node:http and not undici here: undici closes a `reset` connection by destroying its socket
 * with an InformationalError, whose stack trace is captured and then formatted (Node's stream
 * `destroy` reads `err.stack`) on every probe. Measured against a local server, one
 * fresh-connection GET cost 780 µs of CPU through undici and 350 µs through node:http without
 * keep-alive; at 1,000 targets that is ~400 probes a second. Pooled requests (scrapes,
 * Prometheus queries) stay on undici, where reuse makes them cheap.
 */
import type { IncomingMessage } from 'node:http';
import { http, https } from '../node-http.ts';

/**
 * Shared agents that never keep a connection (`agent: false` would build a new Agent per request:
 * 12% more CPU per probe, measured). The HTTPS one also keeps TLS sessions, so a fresh connection
 * to the same host resumes its session instead of a full handshake.
 */
const httpAgent = new http.Agent({ keepAlive: false });
const httpsAgent = new https.Agent({ keepAlive: false });

export interface OnceResponse {
  status: number;
  /** The body, or undefined when it was over `maxBodyBytes` (the rest is then not read). */
  body: Buffer | undefined;
}

export interface OnceOptions {
  method: 'GET' | 'HEAD';
  headers?: Record<string, string>;
  /** Aborting destroys the connection; the promise rejects with an AbortError. */
  signal: AbortSignal;
  maxBodyBytes: number;
}

/** Rejects with Node's socket errors as they are (`code` ECONNREFUSED, ECONNRESET, ENOTFOUND…). */
export function requestOnce(url: string, options: OnceOptions): Promise<OnceResponse> {
  const secure = url.startsWith('https:');
  const send = secure ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const req = send(url, {
      method: options.method,
      headers: { ...options.headers, connection: 'close' },
      agent: secure ? httpsAgent : httpAgent,
      signal: options.signal,
    });
    req.once('error', reject);
    req.once('response', (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxBodyBytes) {
          res.destroy();
          req.destroy();
          resolve({ status: res.statusCode ?? 0, body: undefined });
          return;
        }
        chunks.push(chunk);
      });
      res.once('error', reject);
      res.once('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.end();
  });
}
