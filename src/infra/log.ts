/**
 * pino, with secrets masked at the very last step: every serialized line passes through the
 * SecretRegistry before it reaches stdout, so a token inside an error message or a URL is caught
 * even where no redact path could know about it.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import pinoPretty from 'pino-pretty';
import type { SecretRegistry } from './secrets.ts';

export type { Logger };

export interface LoggerOptions {
  level?: string;
  /** Human-readable output; defaults to whether stdout is a terminal. */
  pretty?: boolean;
  secrets: SecretRegistry;
  /** Where lines go; stdout by default. Tests pass a sink. */
  destination?: DestinationStream;
}

/** Keys that hold secrets by name, wherever they appear. */
const REDACT_PATHS = [
  'token',
  'apiToken',
  '*.token',
  '*.apiToken',
  'authorization',
  'headers.authorization',
  'req.headers.authorization',
  '*.headers.authorization',
];

export function createLogger(options: LoggerOptions): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  const sink: DestinationStream =
    options.destination ?? (pretty ? pinoPretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }) : process.stdout);
  const masked: DestinationStream = { write: (line: string) => sink.write(options.secrets.mask(line)) };
  return pino(
    {
      level: options.level ?? 'info',
      redact: { paths: REDACT_PATHS, censor: '[REDACTED]' },
      base: { service: 'rollback-watchdog' },
    },
    masked,
  );
}
