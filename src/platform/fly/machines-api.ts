/**
 * The cheap half of release polling: one GET on the Fly Machines API (fly-facts §5) instead of a
 * flyctl process. Every deploy, rollback or config change gives each machine it touches a new
 * `fly_release_version` and image, and blue-green and canary deploys add machines, so the list's
 * fingerprint changes whenever a release went live. The guard lists releases with flyctl only
 * then (see guard/release-listing.ts), not on every poll: at 100 targets polled every 15 s that
 * is 400 flyctl processes a minute saved, each costing tens of ms of CPU.
 */
import { z } from 'zod';
import { WD_ERR_PLATFORM_API_FAILED } from '../../infra/errors.ts';
import type { SecretRegistry } from '../../infra/secrets.ts';
import { requestOnce } from '../../infra/http/request-once.ts';
import { Limiter } from '../../infra/exec/limiter.ts';
import { truncate } from '../../infra/exec/text.ts';
import { validate } from './parse-output.ts';
import { FlyMachine, toMachineStatus } from './parse-status.ts';
import type { MachineStatus } from '../types.ts';
import { assertAppName } from './validate-args.ts';
import { flyAuthorization, flyTokenForms } from './authorization.ts';

export const DEFAULT_MACHINES_API_URL = 'https://api.machines.dev';

/** An app's machine list is a few KB; anything near this is not one. */
const MAX_BODY_BYTES = 4 * 2 ** 20;
/**
 * Requests at once. A poll asks for every target together: at 1,000 targets, a burst of 1,000
 * connections to the API (and its rate limits) without this. At ~10 ms each, 8 at a time get
 * through 1,000 apps in about a second and a half.
 */
const MAX_CONCURRENT = 8;
const MAX_QUEUED = 5_000;
/**
 * After the API failed as a whole (no answer, a 5xx, a 429), it is not asked again for this long;
 * then one request tries it while the others still skip it. Without this, an API that hangs
 * would hold every poll for timeout × targets / MAX_CONCURRENT before it fell back to flyctl.
 */
export const MACHINES_API_COOL_OFF_MS = 60_000;

const FlyMachineList = z.array(FlyMachine).nullable();

export interface MachinesApiOptions {
  /** Base URL, e.g. https://api.machines.dev or the simulator's control URL. */
  url: string;
  token: string;
  timeoutMs: number;
  secrets: SecretRegistry;
  /** For the cool-off; default Date.now. */
  now?: () => number;
  /** Hears every machine list read (FlyPlatform remembers each release's digest from it). */
  onMachines?: (app: string, machines: MachineStatus[]) => void;
}

export class MachinesApi {
  readonly #base: string;
  readonly #authorization: string;
  readonly #timeoutMs: number;
  readonly #secrets: SecretRegistry;
  readonly #limiter = new Limiter({ maxConcurrent: MAX_CONCURRENT, maxQueued: MAX_QUEUED });
  readonly #now: () => number;
  readonly #onMachines: MachinesApiOptions['onMachines'];
  /** When the API last failed as a whole, while it has not answered since. */
  #failedAt: number | undefined;
  /** A request is trying the API again after its cool-off. */
  #retrying = false;

  constructor(options: MachinesApiOptions) {
    this.#base = options.url.replace(/\/+$/, '');
    this.#authorization = flyAuthorization(options.token);
    this.#timeoutMs = options.timeoutMs;
    this.#secrets = options.secrets;
    this.#now = options.now ?? Date.now;
    this.#onMachines = options.onMachines;
    // As sent, and each macaroon of a `FlyV1 a,b` token: an error may quote any of them.
    for (const value of flyTokenForms(options.token)) this.#secrets.add(value);
  }

  /**
   * Fingerprint of the app's machines (see machinesFingerprint), or undefined without asking while
   * the API is cooling off after a failure (the caller then lists releases as it would anyway).
   * Throws WD_ERR_PLATFORM_API_FAILED or WD_ERR_PLATFORM_OUTPUT_INVALID.
   */
  async fingerprint(app: string, signal?: AbortSignal): Promise<string | undefined> {
    assertAppName(app);
    const what = `GET /v1/apps/${app}/machines`;
    // Its timeout starts when it runs, not while it waits for a slot.
    return this.#limiter.run(() => this.#guarded(app, what, signal), { what, ...(signal && { signal }) });
  }

  async #guarded(app: string, what: string, signal: AbortSignal | undefined): Promise<string | undefined> {
    const failedAt = this.#failedAt;
    if (failedAt !== undefined) {
      if (this.#retrying || this.#now() - failedAt < MACHINES_API_COOL_OFF_MS) return undefined;
      this.#retrying = true;
    }
    try {
      const fingerprint = await this.#fingerprint(app, what, signal);
      this.#failedAt = undefined;
      return fingerprint;
    } catch (err) {
      if ((err as { apiDown?: boolean }).apiDown) this.#failedAt = this.#now();
      else if (!signal?.aborted) this.#failedAt = undefined; // it answered, about this app only
      throw err;
    } finally {
      if (failedAt !== undefined) this.#retrying = false;
    }
  }

  async #fingerprint(app: string, what: string, signal: AbortSignal | undefined): Promise<string> {
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    let response;
    try {
      response = await requestOnce(`${this.#base}/v1/apps/${app}/machines`, {
        method: 'GET',
        headers: { authorization: this.#authorization, accept: 'application/json' },
        signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
        maxBodyBytes: MAX_BODY_BYTES,
      });
    } catch (err) {
      if (signal?.aborted) throw err; // our own shutdown, not the API's fault
      const reason = timeout.aborted ? `no answer within ${this.#timeoutMs} ms` : ((err as { code?: string }).code ?? (err as Error).message);
      throw apiDown(new WD_ERR_PLATFORM_API_FAILED(this.#secrets.mask(`${what}: ${reason}`)));
    }
    if (response.body === undefined) throw new WD_ERR_PLATFORM_API_FAILED(`${what}: answer over ${MAX_BODY_BYTES} bytes`);
    if (response.status !== 200) {
      const said = apiError(response.body, this.#secrets);
      const err = new WD_ERR_PLATFORM_API_FAILED(`${what}: answered ${response.status}${said ? `: ${said}` : ''}`);
      // 404 and the like are about this app; a 5xx or a 429 is about the API.
      throw response.status >= 500 || response.status === 429 ? apiDown(err) : err;
    }
    let data: unknown;
    try {
      data = JSON.parse(response.body.toString('utf8'));
    } catch {
      throw new WD_ERR_PLATFORM_API_FAILED(`${what}: answer is not JSON`);
    }
    const machines = validate(what, data, FlyMachineList) ?? [];
    this.#onMachines?.(app, machines.map(toMachineStatus));
    return machinesFingerprint(machines);
  }
}

/** Marks an error as the API's as a whole (no answer, 5xx, 429): it starts the cool-off. */
function apiDown<E extends Error>(err: E): E {
  return Object.assign(err, { apiDown: true });
}

/** The API's `{"error": "…"}`, masked and then shortened (a token cut short would escape the mask), if the body is one. */
function apiError(body: Buffer, secrets: SecretRegistry): string | undefined {
  try {
    const error = (JSON.parse(body.toString('utf8')) as { error?: unknown }).error;
    return typeof error === 'string' ? truncate(secrets.mask(error), 200) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Each machine's id, release version and image, sorted by id. State is left out on purpose: a
 * machine that autostops and starts again is not a new release.
 */
export function machinesFingerprint(machines: readonly FlyMachine[]): string {
  return machines
    .map(toMachineStatus)
    .map((m) => `${m.id} v${m.releaseVersion ?? '?'} ${m.imageRef}`)
    .sort()
    .join('\n');
}

export interface MachinesApiSettings {
  enabled: boolean;
  url?: string | undefined;
  timeout: number;
}

/**
 * Where the release fingerprint comes from, or why there is none. Never api.machines.dev behind
 * the back of an apiBaseUrl that points flyctl somewhere else: that would mix two Flys.
 */
export function resolveMachinesApi(
  settings: MachinesApiSettings,
  fly: { apiToken?: string | undefined; apiBaseUrl?: string | undefined },
): { url: string; timeoutMs: number } | { off: string } {
  if (!settings.enabled) return { off: 'platform.fly.machinesApi.enabled is false' };
  if (!fly.apiToken) return { off: 'platform.fly.apiToken is not set' };
  if (settings.url) return { url: settings.url, timeoutMs: settings.timeout };
  if (fly.apiBaseUrl) return { off: 'platform.fly.apiBaseUrl is set but platform.fly.machinesApi.url is not' };
  return { url: DEFAULT_MACHINES_API_URL, timeoutMs: settings.timeout };
}
