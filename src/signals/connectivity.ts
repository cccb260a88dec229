/**
 * The watchdog's own network self-check. A probe `error` (refused, reset, timed out) means either
 * the app is dead or the watchdog lost its network; only the first may ever lead to a rollback. So
 * before a round's errors count, the engine asks whether the watchdog can reach a control URL at
 * all, and gateOnConnectivity turns the round's errors into `inconclusive` when it cannot.
 */
import type { Dispatcher } from 'undici';
import { request } from '../infra/undici.ts';
import type { Clock } from '../infra/clock.ts';
import { deadline } from './deadline.ts';
import { describeTransportError } from './http-probe.ts';
import type { Connectivity } from '../config/signal-schemas.ts';
import type { Measurement } from '../domain/measurement.ts';
import type { Provider } from './types.ts';

/** The `check` name of connectivity measurements. */
export const CONNECTIVITY_CHECK = 'connectivity';
export const CONNECTIVITY_LOST_PREFIX = 'watchdog connectivity lost: ';

export class ConnectivityProvider implements Provider<Connectivity> {
  readonly type = 'connectivity';
  readonly #clock: Clock;
  readonly #dispatcher: Dispatcher | undefined;

  constructor(clock: Clock, dispatcher?: Dispatcher) {
    this.#clock = clock;
    this.#dispatcher = dispatcher;
  }

  /** Any HTTP answer, whatever its status, is `successful`; a transport failure is `error`. Never throws. */
  async run(spec: Connectivity, signal: AbortSignal): Promise<Measurement> {
    const started = performance.now();
    const measurement = (phase: Measurement['phase'], detail: string, status?: number): Measurement => ({
      check: CONNECTIVITY_CHECK,
      phase,
      at: this.#clock.now(),
      durationMs: Math.round(performance.now() - started),
      detail,
      ...(status !== undefined ? { values: { status } } : {}),
    });
    const limit = deadline(signal, spec.timeout);
    try {
      const res = await request(spec.url, {
        // HEAD: the answer's existence is the signal, its body is not needed.
        method: 'HEAD',
        signal: limit.signal,
        headersTimeout: spec.timeout,
        // A pooled connection would prove only that an old socket is alive, not that we can connect.
        reset: true,
        ...(this.#dispatcher && { dispatcher: this.#dispatcher }),
      });
      res.body.resume();
      return measurement('successful', `reached the network (${res.statusCode})`, res.statusCode);
    } catch (err) {
      return measurement('error', describeTransportError(err, spec.timeout));
    } finally {
      limit.done();
    }
  }
}

/**
 * Applies the self-check to a round of measurements. Pure. When `connectivity` is not
 * `successful`, every `error` becomes `inconclusive` with its detail prefixed by
 * CONNECTIVITY_LOST_PREFIX: the watchdog must never roll back because IT lost the network.
 * `failed` measurements are real answers from the app and stay as they are; so does everything
 * when connectivity is fine.
 */
export function gateOnConnectivity(round: readonly Measurement[], connectivity: Measurement): Measurement[] {
  if (connectivity.phase === 'successful') return [...round];
  return round.map((m) => (m.phase === 'error' ? { ...m, phase: 'inconclusive', detail: `${CONNECTIVITY_LOST_PREFIX}${m.detail}` } : m));
}
