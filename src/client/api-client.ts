/**
 * The CLI's HTTP client for the admin API (undici). It turns every outcome into one of four:
 * the parsed answer, an ApiError carrying the API's own code (the daemon refused),
 * WD_ERR_DAEMON_ANSWER_INVALID (something answered, not in the API's JSON), or
 * WD_ERR_DAEMON_UNREACHABLE (no answer at all). The token goes into the Authorization header and
 * nowhere else: no error message or log line here contains it. Every string of an answer comes
 * back passed through safeText (terminal-text.ts): nothing the daemon sends can drive the terminal.
 */
import { Agent, request, type Dispatcher } from 'undici';
import { WD_ERR_DAEMON_ANSWER_INVALID, WD_ERR_DAEMON_UNREACHABLE } from '../infra/errors.ts';
import { safeDeep, safeText } from './terminal-text.ts';

export interface ClientOptions {
  /** Base URL of the admin server, e.g. http://127.0.0.1:8080. */
  url: string;
  token?: string | undefined;
  /** Per request; a rollback answers once the step is stored, so this is generous. */
  timeoutMs?: number;
  dispatcher?: Dispatcher;
}

/** The daemon answered with a refusal: `code` is its stable WD_ERR_* code. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, message: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

export class AdminClient {
  readonly url: string;
  readonly #token: string | undefined;
  readonly #timeoutMs: number;
  readonly #dispatcher: Dispatcher;

  constructor(options: ClientOptions) {
    this.url = options.url.replace(/\/+$/, '');
    this.#token = options.token;
    this.#timeoutMs = options.timeoutMs ?? 30_000;
    // One short-lived connection per command: the CLI makes a single call and exits.
    this.#dispatcher = options.dispatcher ?? new Agent({ connections: 1, pipelining: 0 });
  }

  get<T>(path: string): Promise<ApiAnswer<T>> {
    return this.#call<T>('GET', path);
  }

  /** POSTs `body` as JSON (an empty object when absent: the API accepts it wherever fields are optional). */
  post<T>(path: string, body: object = {}): Promise<ApiAnswer<T>> {
    return this.#call<T>('POST', path, body);
  }

  async close(): Promise<void> {
    await this.#dispatcher.close();
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: object): Promise<ApiAnswer<T>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (this.#token) headers.authorization = `Bearer ${this.#token}`;
    if (body) headers['content-type'] = 'application/json';
    let res: Dispatcher.ResponseData;
    try {
      res = await request(`${this.url}${path}`, {
        method,
        headers,
        ...(body && { body: JSON.stringify(body) }),
        dispatcher: this.#dispatcher,
        headersTimeout: this.#timeoutMs,
        bodyTimeout: this.#timeoutMs,
      });
    } catch (err) {
      throw new WD_ERR_DAEMON_UNREACHABLE(this.url, describe(err));
    }
    const text = await res.body.text().catch((err: unknown) => {
      throw new WD_ERR_DAEMON_UNREACHABLE(this.url, describe(err));
    });
    const parsed = safeDeep(parseJson(text));
    if (res.statusCode >= 400) {
      const e = parsed as { code?: unknown; message?: unknown } | undefined;
      if (typeof e?.code === 'string' && typeof e.message === 'string') throw new ApiError(res.statusCode, e.code, e.message);
      throw new WD_ERR_DAEMON_ANSWER_INVALID(`HTTP ${res.statusCode} from ${method} ${path}: ${safeText(text.slice(0, 120))}`);
    }
    if (parsed === undefined) throw new WD_ERR_DAEMON_ANSWER_INVALID(`expected JSON from ${method} ${path}, got: ${safeText(text.slice(0, 120))}`);
    return { status: res.statusCode, body: parsed as T };
  }
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

/** A transport failure in words, e.g. `ECONNREFUSED` or `headers timeout`. */
function describe(err: unknown): string {
  const e = err as { code?: unknown; message?: unknown; cause?: { code?: unknown } };
  const code = typeof e.code === 'string' ? e.code : typeof e.cause?.code === 'string' ? e.cause.code : undefined;
  const message = typeof e.message === 'string' ? e.message : String(err);
  return code && !message.includes(code) ? `${code} ${message}` : message;
}
