/**
 * The fake fly's client for the simulator's control API (a bare HTTP/1.1 client on node:net, see
 * raw-http.ts, so each `fly` process starts fast). Non-2xx answers become ControlError with the
 * server's message and SIM_ERR_* code; an unreachable server becomes a Go-style transport message.
 */
import { rawRequest, type RawResponse } from './raw-http.ts';
import type { SimAppConfig } from '../app-config.ts';
import type { AppStatusView, AppSummary, DeployAccepted, DeployOutcome, DeployStrategy, FaultMode, LogEntry, MachineView, SimRelease } from '../sim-types.ts';

export interface DeployArgs {
  image: string;
  strategy?: DeployStrategy;
  config?: SimAppConfig;
  skipReleaseCommand?: boolean;
  updateOnly?: boolean;
  outcome?: DeployOutcome;
}

export class ControlError extends Error {
  override readonly name = 'ControlError';
  readonly status: number;
  readonly code: string | undefined;

  constructor(message: string, status: number, code?: string) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export interface InvocationReport {
  fault: FaultMode | null;
  /** The simulator's clock, for relative dates. */
  now: number;
}

export class ControlClient {
  readonly #base: string;
  readonly #token: string | undefined;

  constructor(baseUrl: string, token: string | undefined) {
    this.#base = baseUrl.replace(/\/+$/, '');
    this.#token = token;
  }

  reportInvocation(argv: string[], command: string | undefined, seen: { cwd: string; env: Record<string, string> }): Promise<InvocationReport> {
    return this.#request('POST', '/invocations', { argv, ...(command ? { command } : {}), ...seen });
  }

  app(app: string): Promise<AppSummary> {
    return this.#request('GET', `/apps/${encodeURIComponent(app)}`);
  }

  releases(app: string): Promise<SimRelease[]> {
    return this.#request('GET', `/apps/${encodeURIComponent(app)}/releases`);
  }

  resolveImage(app: string, ref: string): Promise<{ id: string; ref: string; digest: string }> {
    return this.#request('GET', `/apps/${encodeURIComponent(app)}/images/resolve?ref=${encodeURIComponent(ref)}`);
  }

  deploy(app: string, args: DeployArgs): Promise<DeployAccepted> {
    return this.#request('POST', `/apps/${encodeURIComponent(app)}/deploys`, { ...args, via: 'fly' });
  }

  /** flyctl sets its release's final status itself (machines_deploymachinesapp.go DeployMachinesApp). */
  endRelease(app: string, id: string, status: 'failed' | 'interrupted', error?: string): Promise<SimRelease> {
    return this.#request('POST', `/apps/${encodeURIComponent(app)}/deploys/${encodeURIComponent(id)}/end`, { status, ...(error !== undefined ? { error } : {}) });
  }

  setSecrets(app: string, set: Record<string, string>, unset: string[]): Promise<void> {
    return this.#request('POST', `/apps/${encodeURIComponent(app)}/secrets`, { set, unset });
  }

  restart(app: string): Promise<SimRelease> {
    return this.#request('POST', `/apps/${encodeURIComponent(app)}/restarts`, { via: 'fly' });
  }

  /** Long-polls until the release leaves `running` or `waitMs` passes. */
  release(app: string, id: string, waitMs: number): Promise<SimRelease> {
    return this.#request('GET', `/apps/${encodeURIComponent(app)}/deploys/${encodeURIComponent(id)}?waitMs=${Math.max(0, Math.round(waitMs))}`);
  }

  status(app: string): Promise<AppStatusView> {
    return this.#request('GET', `/apps/${encodeURIComponent(app)}/status`);
  }

  machines(app: string): Promise<MachineView[]> {
    return this.#request('GET', `/apps/${encodeURIComponent(app)}/machines`);
  }

  logs(app: string, after: number): Promise<LogEntry[]> {
    return this.#request('GET', `/apps/${encodeURIComponent(app)}/logs?after=${after}`);
  }

  async #request<T>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.#base}${path}`;
    let res: RawResponse;
    try {
      res = await rawRequest(
        method,
        url,
        {
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
          ...(this.#token ? { authorization: `Bearer ${this.#token}` } : {}),
        },
        body !== undefined ? JSON.stringify(body) : undefined,
      );
    } catch (err) {
      const e = err as { code?: string; message?: string };
      throw new ControlError(`${method[0]}${method.slice(1).toLowerCase()} "${url}": ${e.code ?? e.message ?? String(err)}`, 0);
    }
    const text = res.body;
    if (res.status < 200 || res.status > 299) {
      let parsed: { message?: string; code?: string } = {};
      try {
        parsed = JSON.parse(text) as typeof parsed;
      } catch {
        // Not our server's JSON error; report the raw status instead.
      }
      throw new ControlError(parsed.message ?? `server returned ${res.status} ${res.statusText}`, res.status, parsed.code);
    }
    return (text ? JSON.parse(text) : undefined) as T;
  }
}
