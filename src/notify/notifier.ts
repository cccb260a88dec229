/**
 * Fan-out of watchdog events to people. The engine calls notify() from its loop, so notify() must
 * never block it and never throw into it: a dead Slack cannot delay a rollback. Delivery happens in
 * the background, per channel, with retries; outcomes go to metrics and static log lines that
 * never contain a URL, header or routing key.
 *
 * Delivery is at least once: a request that timed out may have arrived, and is sent again. That
 * is harmless for PagerDuty (dedup_key) and a rare duplicate line in Slack; losing a "rollback
 * failed" message would not be.
 */
import type { Dispatcher } from 'undici';
import { systemClock, type Clock } from '../infra/clock.ts';
import type { Logger } from '../infra/log.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import { accepts, buildRequest, maskEvent } from './channel.ts';
import { ChannelQueue } from './channel-queue.ts';
import type { NotifyEvent } from '../domain/notification.ts';
import { noopNotifyMetrics, type NotifyMetrics } from './metrics.ts';
import { collectNotifySecrets, type Notifications, type NotifyChannel } from '../config/notify-schema.ts';
import { errorCode } from './send.ts';

export interface NotifierOptions {
  /** Parsed config (durations in ms). */
  config: Notifications;
  logger: Logger;
  /**
   * The daemon's registry. The Notifier adds the channel secrets to it (the same registry masks the
   * logger), and masks event text with it before anything is sent.
   */
  secrets: SecretRegistry;
  clock?: Clock;
  /** Jitter source in [0, 1); Math.random by default. */
  random?: () => number;
  metrics?: NotifyMetrics;
  /** Per request, headers and body together. */
  requestTimeoutMs?: number;
  /** undici dispatcher, e.g. a MockAgent in tests. */
  dispatcher?: Dispatcher;
}

interface ChannelSlot {
  config: NotifyChannel;
  queue: ChannelQueue;
}

export const DEFAULT_REQUEST_TIMEOUT_MS = 10_000;

export class Notifier {
  readonly #channels: ChannelSlot[];
  readonly #log: Logger;
  readonly #secrets: SecretRegistry;
  readonly #metrics: NotifyMetrics;
  readonly #clock: Clock;
  readonly #abort = new AbortController();
  #stopping: Promise<void> | undefined;

  constructor(options: NotifierOptions) {
    const { config, secrets } = options;
    collectNotifySecrets(config, secrets);
    this.#secrets = secrets;
    this.#log = options.logger.child({ component: 'notify' });
    this.#metrics = options.metrics ?? noopNotifyMetrics;
    this.#clock = options.clock ?? systemClock;
    const onDepthChange = () => this.#metrics.observeQueueDepth(this.depth);
    this.#channels = config.channels.map((channel) => ({
      config: channel,
      queue: new ChannelQueue({
        name: channel.name,
        limit: config.queueLimit,
        attempts: config.retry.attempts,
        initialDelayMs: config.retry.initialDelay,
        maxDelayMs: config.retry.maxDelay,
        timeoutMs: options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
        clock: this.#clock,
        random: options.random ?? Math.random,
        stopSignal: this.#abort.signal,
        metrics: this.#metrics,
        logger: this.#log.child({ channel: channel.name, channelType: channel.type }),
        onDepthChange,
        ...(options.dispatcher && { dispatcher: options.dispatcher }),
      }),
    }));
  }

  /** Messages not yet settled across all channels. */
  get depth(): number {
    return this.#channels.reduce((sum, c) => sum + c.queue.depth, 0);
  }

  /**
   * Queues `event` for every channel that wants it and returns at once, with no I/O started yet.
   * Never throws: a formatting bug loses that one message (counted `permanent`), not the caller.
   * After stop() has been called, events are counted `dropped`.
   */
  notify(event: NotifyEvent): void {
    try {
      const safe = maskEvent(event, this.#secrets);
      for (const { config, queue } of this.#channels) {
        try {
          if (!accepts(config, safe)) continue;
          if (this.#stopping) {
            this.#metrics.incFailed(config.name, safe.kind, 'dropped');
            this.#log.warn({ channel: config.name, kind: safe.kind }, 'notification after shutdown began, dropped');
            continue;
          }
          queue.push({ kind: safe.kind, request: buildRequest(config, safe) });
        } catch (err) {
          this.#metrics.incFailed(config.name, safe.kind, 'permanent');
          this.#log.error({ channel: config.name, kind: safe.kind, errorCode: errorCode(err) }, 'notification could not be formatted');
        }
      }
    } catch {
      // Only reachable if the event is not an object or the logger itself throws; the caller's
      // work matters more than this message.
    }
  }

  /** Resolves when every channel has settled what it holds (for tests and orderly shutdown). */
  async idle(): Promise<void> {
    await Promise.all(this.#channels.map((c) => c.queue.idle()));
  }

  /**
   * Stops accepting events, keeps delivering (retries included) for up to `graceMs`, then aborts
   * what is in flight and drops the rest, counted `dropped`. Idempotent: later calls share the
   * first call's promise. Never rejects.
   */
  stop(graceMs: number): Promise<void> {
    this.#stopping ??= this.#drainThenAbort(graceMs);
    return this.#stopping;
  }

  async #drainThenAbort(graceMs: number): Promise<void> {
    const graceTimer = new AbortController();
    const drained = await Promise.race([
      this.idle().then(() => true),
      this.#clock.sleep(graceMs, graceTimer.signal).then(
        () => false,
        () => true, // only rejects when cancelled below, i.e. after the race is decided
      ),
    ]);
    graceTimer.abort(); // release the grace timer so it does not keep the process alive
    if (drained) return;
    this.#log.warn({ pending: this.depth, graceMs }, 'notification grace period over, dropping what is left');
    this.#abort.abort();
    await this.idle();
  }
}
