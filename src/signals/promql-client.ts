/**
 * A minimal PromQL instant-query client (GET <url>/api/v1/query) that never throws. Failures are
 * classified once, here (style practice 7): anything that means "no answer right now" (429, 5xx,
 * timeouts, refused or reset connections, a malformed body) and anything that means "this query
 * or token is wrong" (other 4xx, `status: error`) come back as phase `error` with one masked line.
 * Prometheus API: https://prometheus.io/docs/prometheus/latest/querying/api/
 */
import type { Dispatcher } from 'undici';
import { request } from '../infra/undici.ts';
import { z } from 'zod';
import { truncate } from '../infra/exec/text.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import { deadline } from './deadline.ts';
import { describeTransportError } from './http-probe.ts';
import { parsePromValue } from './prom-text.ts';
import { readBounded } from '../infra/http/read-bounded.ts';
import { flyAuthorization, flyTokenForms } from '../platform/fly/authorization.ts';

export interface PromConnection {
  /** Base URL; `/api/v1/query` is appended. */
  url: string;
  /** Sent as flyctl sends the Fly token (platform/fly/authorization.ts): `FlyV1` for macaroons, else `Bearer`. */
  bearerToken?: string | undefined;
  /** Deprecated and ignored: the scheme follows from the token. */
  authScheme?: 'Bearer' | 'FlyV1' | undefined;
  timeout: number;
}

export interface PromVectorSample {
  labels: Record<string, string>;
  value: number;
}

/** A vector's samples (a scalar becomes one sample without labels), or why there are none. */
export type PromQueryResult =
  | { ok: true; samples: PromVectorSample[] }
  | { ok: false; phase: 'error' | 'inconclusive'; detail: string };

/** An instant vector for a few hundred series is far below this; more means a runaway query. */
const MAX_RESPONSE_BYTES = 4 * 1024 * 1024;
const MAX_DETAIL_CHARS = 300;

const SampleValue = z.tuple([z.number(), z.string()]);
const QueryResponse = z.discriminatedUnion('status', [
  z.object({
    status: z.literal('success'),
    data: z.discriminatedUnion('resultType', [
      z.object({ resultType: z.literal('vector'), result: z.array(z.object({ metric: z.record(z.string(), z.string()), value: SampleValue })) }),
      z.object({ resultType: z.literal('scalar'), result: SampleValue }),
      z.object({ resultType: z.enum(['matrix', 'string']) }),
    ]),
  }),
  z.object({ status: z.literal('error'), errorType: z.string().optional(), error: z.string().optional() }),
]);
/** What a failed request's body may say (Prometheus and Fly both use this shape, when JSON). */
const ErrorBody = z.object({ error: z.string() });

export class PromQLClient {
  readonly #conn: PromConnection;
  readonly #secrets: SecretRegistry;
  readonly #dispatcher: Dispatcher | undefined;

  /** Registers the token with `secrets`, so nothing this client reports can carry it. */
  constructor(conn: PromConnection, secrets: SecretRegistry, dispatcher?: Dispatcher) {
    this.#conn = conn;
    this.#secrets = secrets;
    this.#dispatcher = dispatcher;
    for (const form of conn.bearerToken ? flyTokenForms(conn.bearerToken) : []) secrets.add(form);
  }

  async query(promql: string, signal: AbortSignal): Promise<PromQueryResult> {
    const { timeout } = this.#conn;
    const error = (detail: string): PromQueryResult => ({ ok: false, phase: 'error', detail: truncate(this.#secrets.mask(detail), MAX_DETAIL_CHARS) });
    let status: number;
    let text: string | undefined;
    const limit = deadline(signal, timeout);
    try {
      const res = await request(`${this.#conn.url.replace(/\/+$/, '')}/api/v1/query?query=${encodeURIComponent(promql)}`, {
        method: 'GET',
        headers: { accept: 'application/json', ...this.#authorization() },
        signal: limit.signal,
        headersTimeout: timeout,
        bodyTimeout: timeout,
        ...(this.#dispatcher && { dispatcher: this.#dispatcher }),
      });
      status = res.statusCode;
      text = (await readBounded(res.body, MAX_RESPONSE_BYTES))?.toString('utf8');
    } catch (err) {
      if (signal.aborted) return { ok: false, phase: 'inconclusive', detail: 'query aborted' };
      return error(`Prometheus ${describeTransportError(err, timeout)}`);
    } finally {
      limit.done();
    }
    if (status === 429) return error('Prometheus rate limited the query (429)');
    if (status >= 400) return error(`Prometheus answered ${status}${explain(text)}`);
    if (text === undefined) return error(`Prometheus response over ${MAX_RESPONSE_BYTES / 1024 / 1024} MiB`);

    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      return error(`Prometheus answered ${status} with a body that is not JSON`);
    }
    const parsed = QueryResponse.safeParse(body);
    if (!parsed.success) return error(`Prometheus answered ${status} with an unexpected shape: ${describeIssue(parsed.error)}`);
    const response = parsed.data;
    if (response.status === 'error') return error(`query failed: ${response.errorType ?? 'error'}: ${response.error ?? 'no reason given'}`);
    const { data } = response;
    if (data.resultType === 'vector') {
      return { ok: true, samples: data.result.map((s) => ({ labels: s.metric, value: parsePromValue(s.value[1]) })) };
    }
    if (data.resultType === 'scalar') return { ok: true, samples: [{ labels: {}, value: parsePromValue(data.result[1]) }] };
    return error(`query returned a ${data.resultType}; an instant vector or a scalar is needed`);
  }

  #authorization(): Record<string, string> {
    const { bearerToken } = this.#conn;
    return bearerToken ? { authorization: flyAuthorization(bearerToken) } : {};
  }
}

/** The first problem only, `data.result.0.value: expected tuple…`: a detail is one line. */
function describeIssue(error: z.ZodError): string {
  const [issue] = error.issues;
  return issue ? `${issue.path.join('.') || '(root)'}: ${issue.message}` : 'invalid';
}

/** `: <Prometheus' error text>` when the body has one, else nothing (HTML error pages say little). */
function explain(text: string | undefined): string {
  if (!text) return '';
  try {
    const parsed = ErrorBody.safeParse(JSON.parse(text));
    return parsed.success ? `: ${parsed.data.error}` : '';
  } catch {
    return '';
  }
}
