/**
 * One simulated app process: an HTTP server on 127.0.0.1 whose behaviour follows the profile of
 * the image it runs. `down` really stops listening (clients get ECONNREFUSED) and a later profile
 * listens again on the same port, so the app's URL never changes.
 *
 * Reachability is apart from the profile: the URL stands for the app as the watchdog reaches it,
 * and a partial partition cuts the watchdog off while the app is healthy and Fly's own checks
 * (run inside Fly's network, machine-checks.ts) keep passing. `refuse` closes the port;
 * `blackhole` accepts connections and never answers. Simulated traffic, which stands for users
 * elsewhere, goes on either way.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { AppMetrics } from './app-metrics.ts';
import { errorProbability, isListening, isReady, responseDelayMs, type Profile } from './profile.ts';
import type { Rng } from './prng.ts';
import type { Reachability } from './sim-types.ts';

export interface FakeAppRequest {
  method: string;
  path: string;
  status: number;
  ms: number;
}

export interface FakeAppOptions {
  name: string;
  /** Fixed port; default an ephemeral one, picked once and reused across down/up. */
  port?: number;
  metrics: AppMetrics;
  rng: Rng;
  /** Called for every request the app answers (for access logs); not for /metrics. */
  onRequest?: (r: FakeAppRequest) => void;
}

export class FakeApp {
  readonly #opts: FakeAppOptions;
  #server: Server | undefined;
  #port: number;
  #profile: Profile = { kind: 'down' };
  #reachability: Reachability = 'open';
  /** Profile changes run one after another: a close must finish before the port is reused. */
  #transition: Promise<void> = Promise.resolve();
  readonly #pendingTimers = new Set<NodeJS.Timeout>();

  constructor(opts: FakeAppOptions) {
    this.#opts = opts;
    this.#port = opts.port ?? 0;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  get profile(): Profile {
    return this.#profile;
  }

  get listening(): boolean {
    return this.#server !== undefined;
  }

  get reachability(): Reachability {
    return this.#reachability;
  }

  /** Cuts the watchdog off (or lets it back in) without changing how the app behaves. */
  setReachability(reachability: Reachability): Promise<void> {
    this.#reachability = reachability;
    return this.setProfile(this.#profile);
  }

  /** Resolves once every requested profile change has been applied (or has failed). */
  settled(): Promise<void> {
    return this.#transition.catch(() => undefined);
  }

  /** Binds the port (even for `down`, to learn which port is ours), then applies `profile`. */
  async start(profile: Profile): Promise<void> {
    await this.#listen();
    await this.setProfile(profile);
  }

  /** Rejects if the port cannot be bound again; later changes still run. */
  setProfile(profile: Profile): Promise<void> {
    const next = this.#transition
      .catch(() => undefined)
      .then(async () => {
        if (!isListening(profile) || this.#reachability === 'refuse') {
          this.#profile = profile;
          return this.#stopListening();
        }
        try {
          await this.#listen();
          this.#profile = profile;
        } catch (err) {
          this.#profile = { kind: 'down' }; // not listening is what `down` means
          throw err;
        }
      });
    this.#transition = next;
    return next;
  }

  async close(): Promise<void> {
    await this.#transition.catch(() => undefined);
    for (const timer of this.#pendingTimers) clearTimeout(timer);
    this.#pendingTimers.clear();
    await this.#stopListening();
  }

  async #listen(): Promise<void> {
    if (this.#server) return;
    const server = createServer((req, res) => this.#handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.#port, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.#port = (server.address() as AddressInfo).port;
    this.#server = server;
  }

  async #stopListening(): Promise<void> {
    const server = this.#server;
    if (!server) return;
    this.#server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // A dead process drops its keep-alive and in-flight connections too, not just the listener.
    server.closeAllConnections();
    await closed;
  }

  #handle(req: IncomingMessage, res: ServerResponse): void {
    // Held until the connection is dropped (closeAllConnections on close or a profile change).
    if (this.#reachability === 'blackhole') return;
    const started = performance.now();
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    if (path === '/metrics') {
      // The scrape endpoint is not part of the app's behaviour: never slowed, failed or counted.
      res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4; charset=utf-8' });
      res.end(this.#opts.metrics.render());
      return;
    }
    const profile = this.#profile;
    const { status, body } = this.#respond(path, profile);
    const send = () => {
      if (res.destroyed) return;
      const ms = performance.now() - started;
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(req.method === 'HEAD' ? undefined : JSON.stringify(body));
      this.#opts.metrics.recordRequests(status, ms / 1000);
      this.#opts.onRequest?.({ method: req.method ?? 'GET', path, status, ms });
    };
    const delay = responseDelayMs(profile);
    if (delay <= 0) return send();
    const timer = setTimeout(() => {
      this.#pendingTimers.delete(timer);
      send();
    }, delay);
    this.#pendingTimers.add(timer);
  }

  #respond(path: string, profile: Profile): { status: number; body: unknown } {
    if (this.#opts.rng() < errorProbability(profile, 0, false)) {
      return { status: 500, body: { status: 'error', error: 'internal server error' } };
    }
    switch (path) {
      case '/api/v1/health':
        return { status: 200, body: { status: 'ok' } };
      case '/api/v1/ready':
        return isReady(profile)
          ? { status: 200, body: { status: 'ok' } }
          : { status: 503, body: { status: 'unavailable', reason: 'database unreachable' } };
      case '/':
        return { status: 200, body: { app: this.#opts.name, status: 'ok' } };
      default:
        return { status: 404, body: { error: 'not found' } };
    }
  }
}
