/**
 * One channel's outbox: a bounded FIFO and a worker that sends one message at a time, retrying
 * with backoff. One message at a time keeps the order people read things in (started before
 * finished); one queue per channel keeps a slow Slack from delaying a page.
 */
import type { Dispatcher } from 'undici';
import type { Clock } from '../infra/clock.ts';
import type { Logger } from '../infra/log.ts';
import type { OutgoingRequest } from './channel.ts';
import type { EventKind } from '../domain/notification.ts';
import type { NotifyMetrics } from './metrics.ts';
import { backoffDelay } from './backoff.ts';
import { sendOnce } from './send.ts';

export interface Delivery {
  kind: EventKind;
  request: OutgoingRequest;
}

export interface ChannelQueueOptions {
  /** The channel's configured name: the `channel` label and log field. */
  name: string;
  limit: number;
  attempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
  timeoutMs: number;
  clock: Clock;
  random: () => number;
  /** Fires when the grace period of stop() is over: abort the request in flight, drop the rest. */
  stopSignal: AbortSignal;
  metrics: NotifyMetrics;
  /** Already scoped to this channel. */
  logger: Logger;
  /** Called whenever `depth` changes, so the owner can report the total. */
  onDepthChange: () => void;
  dispatcher?: Dispatcher;
}

export class ChannelQueue {
  readonly #o: ChannelQueueOptions;
  readonly #waiting: Delivery[] = [];
  #inFlight = false;
  /** Set while the worker runs; cleared in the same tick the queue is seen empty. */
  #worker: Promise<void> | undefined;
  #overflowDrops = 0;

  constructor(options: ChannelQueueOptions) {
    this.#o = options;
  }

  /** Messages not yet settled: waiting plus the one being sent or waiting to retry. */
  get depth(): number {
    return this.#waiting.length + (this.#inFlight ? 1 : 0);
  }

  /** Queues `d` and returns at once; when full, the oldest waiting message is dropped and counted. */
  push(d: Delivery): void {
    if (this.#waiting.length >= this.#o.limit) {
      const oldest = this.#waiting.shift() as Delivery;
      this.#overflowDrops += 1;
      this.#o.metrics.incFailed(this.#o.name, oldest.kind, 'dropped');
      this.#o.logger.warn({ kind: oldest.kind, droppedTotal: this.#overflowDrops }, 'notification queue full, dropped the oldest message');
    }
    this.#waiting.push(d);
    this.#o.onDepthChange();
    // Start on a microtask, not inline: notify() must return before any I/O begins.
    this.#worker ??= Promise.resolve().then(() => this.#run());
  }

  /** Resolves when nothing is waiting or in flight. */
  idle(): Promise<void> {
    return this.#worker ?? Promise.resolve();
  }

  async #run(): Promise<void> {
    let abandoned = 0;
    try {
      while (this.#waiting.length > 0) {
        const next = this.#waiting.shift() as Delivery;
        if (this.#o.stopSignal.aborted) {
          this.#o.metrics.incFailed(this.#o.name, next.kind, 'dropped');
          abandoned += 1;
          continue;
        }
        this.#inFlight = true;
        const settled = await this.#deliver(next);
        this.#inFlight = false;
        if (!settled) {
          this.#o.metrics.incFailed(this.#o.name, next.kind, 'dropped');
          abandoned += 1;
        }
        this.#o.onDepthChange();
      }
    } catch (err) {
      // Unreachable by design (sendOnce and the metrics never throw); logged so a bug is seen, not silent.
      this.#o.logger.error({ errorName: (err as Error)?.name }, 'notification worker crashed');
    } finally {
      this.#inFlight = false;
      this.#worker = undefined;
      if (abandoned > 0) this.#o.logger.warn({ dropped: abandoned }, 'notifications dropped at shutdown');
      this.#o.onDepthChange();
    }
  }

  /** Sends with retries. False when stop() cut it short (the caller counts it dropped). */
  async #deliver(d: Delivery): Promise<boolean> {
    const { attempts, maxDelayMs, clock, stopSignal, logger, metrics, name } = this.#o;
    for (let attempt = 1; ; attempt++) {
      const result = await sendOnce(d.request, {
        stopSignal,
        timeoutMs: this.#o.timeoutMs,
        now: clock.now(),
        ...(this.#o.dispatcher && { dispatcher: this.#o.dispatcher }),
      });
      switch (result.outcome) {
        case 'aborted':
          return false;
        case 'delivered':
          metrics.incDelivered(name, d.kind);
          logger.debug({ kind: d.kind, attempt, status: result.status }, 'notification delivered');
          return true;
        case 'permanent':
          metrics.incFailed(name, d.kind, 'permanent');
          logger.error({ kind: d.kind, attempt, status: result.status }, 'notification rejected by receiver, not retrying');
          return true;
        case 'retry': {
          const { status, errorCode } = result;
          if (attempt >= attempts) {
            metrics.incFailed(name, d.kind, 'exhausted');
            logger.error({ kind: d.kind, attempts, status, errorCode }, 'notification failed after all retries');
            return true;
          }
          const delayMs =
            result.retryAfterMs !== undefined
              ? Math.min(result.retryAfterMs, maxDelayMs)
              : backoffDelay(attempt, this.#o, this.#o.random);
          logger.info({ kind: d.kind, attempt, status, errorCode, delayMs }, 'notification attempt failed, will retry');
          try {
            await clock.sleep(delayMs, stopSignal);
          } catch {
            return false; // stop() gave up while we waited
          }
        }
      }
    }
  }
}
