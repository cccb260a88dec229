import { Writable } from 'node:stream';
import { createLogger, type Logger } from '../../src/infra/log.ts';
import { SecretRegistry } from '../../src/infra/secrets.ts';

/** A real pino logger writing into an array of parsed records (pino's own test `sink()` pattern). */
export function captureLogger(secrets = new SecretRegistry()): { logger: Logger; records: Record<string, unknown>[]; lines: string[] } {
  const records: Record<string, unknown>[] = [];
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) {
        lines.push(line);
        records.push(JSON.parse(line) as Record<string, unknown>);
      }
      done();
    },
  });
  return { logger: createLogger({ level: 'debug', pretty: false, secrets, destination }), records, lines };
}
