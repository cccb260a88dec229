/** node-cron's logger interface on top of the daemon's masked JSON logger, so none of its lines bypass it. */
import type { Logger as CronLogger } from 'node-cron';
import type { Logger } from './log.ts';

export function cronLogger(logger: Logger): CronLogger {
  const log = logger.child({ component: 'cron' });
  return {
    info: (message) => log.info(message),
    warn: (message) => log.warn(message),
    error: (message, err) => log.error({ err: err ?? (message instanceof Error ? message : undefined) }, typeof message === 'string' ? message : 'scheduled task failed'),
    debug: (message, err) => log.debug({ err }, typeof message === 'string' ? message : 'scheduled task'),
  };
}
