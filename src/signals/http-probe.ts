/**
 * HTTP probe provider: GET (or HEAD) a URL and compare the status, optionally the JSON body and the
 * latency. A wrong answer is `failed`: the app answered and said no (or said it too slowly). A
 * refused, reset or timed-out connection is `error`: we could not get an answer, which is either a
 * dead app or a network problem on our side; the guard decides which.
 */
import type { HttpProbe } from '../config/schema.ts';
import type { Clock } from '../infra/clock.ts';
import { SecretRegistry } from '../infra/secrets.ts';
import { deadline } from './deadline.ts';
import { findJsonMismatch } from './json-subset.ts';
import { requestOnce } from '../infra/http/request-once.ts';
import type { Measurement } from '../domain/measurement.ts';
import { collectSignalSecrets } from './signal-secrets.ts';
import type { Provider } from './types.ts';

/** Bodies are read for the body check but never kept beyond this (a probe is not a download). */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * The probe spec plus the two fields the config schema is getting (`expectBody`, `maxLatencyMs`);
 * declared here so this compiles before and after that schema change.
 */
export type HttpProbeSpec = HttpProbe & {
  /** JSON subset the body must contain; see findJsonMismatch. */
  expectBody?: Record<string, unknown>;
  /** A response that is otherwise right but slower than this is `failed`. */
  maxLatencyMs?: number;
};

export class HttpProbeProvider implements Provider<HttpProbeSpec> {
  readonly type = 'http';
  readonly #clock: Clock;
  readonly #secrets: SecretRegistry;

  /**
   * `secrets` masks the detail: an app that echoes a request header (its token) in a body that
   * fails `expectBody` would otherwise put it into the journal, the incident and the series API.
   */
  constructor(clock: Clock, secrets = new SecretRegistry()) {
    this.#clock = clock;
    this.#secrets = secrets;
  }

  async run(spec: HttpProbeSpec, signal: AbortSignal): Promise<Measurement> {
    collectSignalSecrets(spec, this.#secrets);
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const measurement = (phase: Measurement['phase'], detail: string, values?: Measurement['values']): Measurement => ({
      check: spec.name,
      phase,
      at: this.#clock.now(),
      durationMs: elapsed(),
      detail: this.#secrets.mask(detail),
      ...(values && { values }),
    });
    const limit = deadline(signal, spec.timeout);
    try {
      // A fresh connection per probe (see request-once.ts for why, and why not undici).
      const res = await requestOnce(spec.url, {
        method: spec.method,
        ...(spec.headers && { headers: spec.headers }),
        signal: limit.signal,
        maxBodyBytes: MAX_BODY_BYTES,
      });
      const body = res.body;
      const ms = elapsed();
      const values = { status: res.status, latencyMs: ms };
      if (!spec.expectStatus.includes(res.status)) {
        return measurement('failed', `${res.status} (expected ${spec.expectStatus.join('|')})`, values);
      }
      if (spec.expectBody) {
        const mismatch = checkBody(spec.expectBody, body);
        if (mismatch) return measurement('failed', mismatch, values);
      }
      if (spec.maxLatencyMs !== undefined && ms > spec.maxLatencyMs) {
        return measurement('failed', `${res.status} in ${ms}ms (limit ${spec.maxLatencyMs}ms)`, values);
      }
      return measurement('successful', `${res.status} in ${ms}ms`, values);
    } catch (err) {
      return measurement('error', describeTransportError(err, spec.timeout), { latencyMs: elapsed() });
    } finally {
      limit.done();
    }
  }
}

/** Why the body does not match `expected`, or undefined when it does. */
function checkBody(expected: Record<string, unknown>, body: Buffer | undefined): string | undefined {
  if (body === undefined) return `body over ${MAX_BODY_BYTES / 1024} KiB, not checked`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return body.length === 0 ? 'body is empty, expected JSON' : 'body is not JSON';
  }
  return findJsonMismatch(expected, parsed);
}

/** One short, secret-free line; undici errors can carry the full URL, which may hold a token. */
export function describeTransportError(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; code?: string; cause?: { code?: string } };
  const code = e.code ?? e.cause?.code;
  switch (code) {
    case 'ECONNREFUSED':
      return 'connection refused';
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
      return 'connection reset';
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return 'DNS lookup failed';
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'UND_ERR_CONNECT_TIMEOUT':
      return `timed out after ${timeoutMs}ms`;
  }
  if (e.name === 'TimeoutError' || e.name === 'AbortError') return `timed out after ${timeoutMs}ms`;
  return code ? `request failed (${code})` : 'request failed';
}
