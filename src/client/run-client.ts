/**
 * Entry point of the operator commands: parses the shared options, talks to the daemon and maps
 * every outcome to an exit code. Exit codes: 0 ok, 1 the API refused or failed (its code and
 * message are printed), 2 usage error, 3 the daemon cannot be reached.
 */
import { parseArgs } from 'node:util';
import { hasCode, WD_ERR_CLIENT_USAGE } from '../infra/errors.ts';
import { AdminClient, ApiError } from './api-client.ts';
import { COMMANDS, type CommandInput } from './commands.ts';
import { terminalSafe } from './terminal-text.ts';
import { CLIENT_USAGE, DEFAULT_URL } from './usage.ts';

export const EXIT_OK = 0;
export const EXIT_REFUSED = 1;
export const EXIT_USAGE = 2;
export const EXIT_UNREACHABLE = 3;

/** The process around a command: its environment and output streams (tests capture them). */
export interface ClientIo {
  env: Record<string, string | undefined>;
  out(text: string): void;
  err(text: string): void;
  now?: () => number;
}

/** Runs `command` with `argv` (the arguments after it); never throws. */
export async function runClient(command: string, argv: string[], given: ClientIo): Promise<number> {
  // The last filter: whatever reaches the terminal, server text included, drives nothing there.
  const io: ClientIo = { ...given, out: (text) => given.out(terminalSafe(text)), err: (text) => given.err(terminalSafe(text)) };
  const spec = COMMANDS[command];
  if (!spec) {
    io.err(`unknown command: ${command}\n${CLIENT_USAGE}`);
    return EXIT_USAGE;
  }
  let client: AdminClient | undefined;
  let json = false;
  try {
    const { positionals, values } = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        url: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        ...(spec.options.includes('to') && { to: { type: 'string' } }),
        ...(spec.options.includes('image') && { image: { type: 'string' } }),
        ...(spec.options.includes('force') && { force: { type: 'boolean' } }),
        ...(spec.options.includes('reason') && { reason: { type: 'string' } }),
      },
    });
    json = values.json === true;
    if (values.help) {
      io.out(`usage: rollback-watchdog ${spec.usage} [--url URL] [--json]\n`);
      return EXIT_OK;
    }
    client = new AdminClient({ url: baseUrl(typeof values.url === 'string' ? values.url : io.env.ROLLBACK_WATCHDOG_URL), token: io.env.ROLLBACK_WATCHDOG_TOKEN || undefined });
    const result = await spec.run(client, { positionals, values: values as CommandInput['values'] }, (io.now ?? Date.now)());
    io.out(`${json ? JSON.stringify(result.body, null, 2) : result.text}\n`);
    return result.exitCode ?? EXIT_OK;
  } catch (err) {
    return report(err, command, spec.usage, json, io);
  } finally {
    await client?.close();
  }
}

/** The daemon's base URL: --url, then $ROLLBACK_WATCHDOG_URL, then the local default (also used by `watch`). */
export function baseUrl(given: string | undefined): string {
  const url = given || DEFAULT_URL;
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    // Not echoed: a mistyped URL may hold something secret.
    throw new WD_ERR_CLIENT_USAGE('--url (or $ROLLBACK_WATCHDOG_URL) is not a URL; give e.g. http://127.0.0.1:8080');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new WD_ERR_CLIENT_USAGE(`--url must be http(s), not ${parsed.protocol}`);
  if (parsed.username || parsed.password) throw new WD_ERR_CLIENT_USAGE('--url must not hold credentials: set $ROLLBACK_WATCHDOG_TOKEN');
  return url;
}

function report(err: unknown, command: string, usage: string, json: boolean, io: ClientIo): number {
  const message = err instanceof Error ? err.message : String(err);
  if (hasCode(err, 'WD_ERR_CLIENT_USAGE') || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
    io.err(`${command}: ${message}\nusage: rollback-watchdog ${usage} [--url URL] [--json]\n`);
    return EXIT_USAGE;
  }
  if (hasCode(err, 'WD_ERR_DAEMON_UNREACHABLE')) {
    io.err(`${message}\n(is the daemon running? set --url or $ROLLBACK_WATCHDOG_URL)\n`);
    return EXIT_UNREACHABLE;
  }
  if (err instanceof ApiError) {
    if (json) io.out(`${JSON.stringify({ statusCode: err.status, code: err.code, message: err.message }, null, 2)}\n`);
    io.err(`${command} refused: ${err.code}: ${err.message}\n`);
    return EXIT_REFUSED;
  }
  io.err(`${command} failed: ${(err as { code?: string }).code ?? 'error'}: ${message}\n`);
  return EXIT_REFUSED;
}
