/**
 * A limit on failed authentication per client address, on every route that takes a token (issue 16:
 * thousands of token guesses a second). A failure is a token presented and not recognised; a
 * request without any token guesses nothing, so it gets its 401 and is not counted (plain
 * unauthenticated noise cannot block an address). Past `max` failures in a window the address is
 * blocked until the window ends: its requests get 429 unless their token already authenticated
 * from that address, so a right guess fails like a wrong one, while an operator behind the same
 * proxy or NAT as the guesser is not locked out with it. In memory, per replica.
 */
import type { FastifyInstance } from 'fastify';
import type { Clock } from '../infra/clock.ts';
import { formatDuration } from '../infra/duration.ts';
import { WD_ERR_AUTH_RATE_LIMITED } from '../infra/errors.ts';
import type { TokenAuth } from './auth.ts';
import type { FailedAuthLimit } from './limits.ts';

interface AddressRecord {
  windowStart: number;
  failures: number;
  /** Token names that authenticated from this address, with when they last did. */
  known: Map<string, number>;
}

/** Addresses remembered at once; the least recently seen is forgotten first. */
const MAX_ADDRESSES = 10_000;
/** A token stays known to an address this long after it last authenticated from there. */
const KNOWN_FOR_MS = 24 * 3_600_000;
/** Token names remembered per address (a proxy in front may carry every operator's). */
const MAX_KNOWN_PER_ADDRESS = 32;

export class FailedAuthLimiter {
  readonly #limit: FailedAuthLimit;
  readonly #clock: Clock;
  readonly #addresses = new Map<string, AddressRecord>();

  constructor(limit: FailedAuthLimit, clock: Clock) {
    this.#limit = limit;
    this.#clock = clock;
  }

  /** Milliseconds until `address` may try unknown tokens again, or 0 when it may now. */
  blockedFor(address: string): number {
    const record = this.#addresses.get(address);
    if (!record || record.failures < this.#limit.max) return 0;
    const left = record.windowStart + this.#limit.windowMs - this.#clock.now();
    return left > 0 ? left : 0;
  }

  knows(address: string, name: string): boolean {
    const at = this.#addresses.get(address)?.known.get(name);
    return at !== undefined && this.#clock.now() - at < KNOWN_FOR_MS;
  }

  failed(address: string): void {
    const record = this.#record(address);
    const now = this.#clock.now();
    if (now - record.windowStart >= this.#limit.windowMs) {
      record.windowStart = now;
      record.failures = 0;
    }
    record.failures++;
  }

  succeeded(address: string, name: string): void {
    const known = this.#record(address).known;
    known.delete(name);
    known.set(name, this.#clock.now());
    if (known.size > MAX_KNOWN_PER_ADDRESS) known.delete(known.keys().next().value as string);
  }

  #record(address: string): AddressRecord {
    let record = this.#addresses.get(address);
    if (record) this.#addresses.delete(address);
    else record = { windowStart: this.#clock.now(), failures: 0, known: new Map() };
    // Re-inserted: the map's first key is always the least recently seen address.
    this.#addresses.set(address, record);
    if (this.#addresses.size > MAX_ADDRESSES) this.#addresses.delete(this.#addresses.keys().next().value as string);
    return record;
  }
}

/** Token routes live under this prefix; health, metrics, docs and the page shells take no token. */
const TOKEN_ROUTES = '/api/';

/**
 * Root hooks: refuse a blocked address first thing (before any route's own auth hook), and count
 * every 401 and every success.
 */
export function limitFailedAuth(app: FastifyInstance, limiter: FailedAuthLimiter, auth: TokenAuth): void {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.url.startsWith(TOKEN_ROUTES)) return;
    const waitMs = limiter.blockedFor(request.ip);
    if (waitMs === 0) return;
    const principal = auth.identify(request.headers.authorization);
    if (principal && limiter.knows(request.ip, principal.name)) return;
    const seconds = Math.ceil(waitMs / 1000);
    reply.header('retry-after', String(seconds)).header('connection', 'close');
    throw new WD_ERR_AUTH_RATE_LIMITED(formatDuration(seconds * 1000));
  });
  app.addHook('onResponse', async (request, reply) => {
    if (reply.statusCode === 401 && request.headers.authorization !== undefined) limiter.failed(request.ip);
    else if (request.principal) limiter.succeeded(request.ip, request.principal.name);
  });
}
