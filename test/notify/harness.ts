import { Agent, type Dispatcher } from 'undici';
import { Notifier, type NotifierOptions } from '../../src/notify/notifier.ts';
import { Notifications, type NotificationsInput } from '../../src/config/notify-schema.ts';
import { SecretRegistry } from '../../src/infra/secrets.ts';
import { captureLogger } from '../fakes/logger.ts';
import { TestClock } from '../support/test-clock.ts';
import { RecordingMetrics } from './recording-metrics.ts';

/** An undici Agent that counts dispatches: proof of whether a request was started at all. */
export class CountingAgent extends Agent {
  dispatches = 0;
  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandler): boolean {
    this.dispatches += 1;
    return super.dispatch(options, handler);
  }
}

/** A secret-looking Slack path, to prove it never reaches logs or metric labels. */
export const SECRET_PATH = '/services/T0SECRET/B0SECRET/xoxSecretPathToken123';

export interface Harness {
  notifier: Notifier;
  metrics: RecordingMetrics;
  clock: TestClock;
  agent: CountingAgent;
  /** Raw serialized log lines; the logger masks nothing, so any leak shows here. */
  lines: string[];
  records: Record<string, unknown>[];
}

const live: Array<{ notifier: Notifier; agent: CountingAgent }> = [];

/**
 * A Notifier with recording fakes: auto-advancing clock, jitter pinned at 0.5 (so a nominal delay
 * d waits 0.75·d), a counting agent, and a logger with an EMPTY secret registry, so these tests
 * prove the notifier itself never logs secrets rather than relying on the logger's masking.
 */
export function makeNotifier(
  input: NotificationsInput,
  over: Partial<Pick<NotifierOptions, 'requestTimeoutMs' | 'secrets'>> & { clock?: TestClock } = {},
): Harness {
  const metrics = new RecordingMetrics();
  const clock = over.clock ?? new TestClock();
  const agent = new CountingAgent();
  const { logger, lines, records } = captureLogger(new SecretRegistry());
  const notifier = new Notifier({
    config: Notifications.parse(input),
    logger,
    secrets: over.secrets ?? new SecretRegistry(),
    clock,
    random: () => 0.5,
    metrics,
    dispatcher: agent,
    ...(over.requestTimeoutMs !== undefined && { requestTimeoutMs: over.requestTimeoutMs }),
  });
  live.push({ notifier, agent });
  return { notifier, metrics, clock, agent, lines, records };
}

/** For afterEach: stop every notifier made in the test, abandoning whatever is left. */
export async function stopAll(): Promise<void> {
  await Promise.all(
    live.splice(0).map(async ({ notifier, agent }) => {
      await notifier.stop(0);
      await agent.destroy();
    }),
  );
}
