/**
 * `fly logs` output (fly-facts §4; flyctl internal/render/logs.go, logs/entry.go). Text is
 * `<RFC3339> <provider>[<instance>] <region> [<level>]<message>`; real flyctl colours the time,
 * region and level with ANSI escapes even when piped, which `ansi` reproduces. `--json` prints each
 * LogEntry as its own indented document, back to back.
 */
import type { LogEntry } from '../sim-types.ts';
import { goJson, rfc3339, rfc3339Nano } from './go-render.ts';

const RESET = '\x1b[0m';
const FAINT = '\x1b[2m';
const GREEN = '\x1b[32m';
const LEVEL_COLOUR: Record<string, string> = { debug: '\x1b[36m', info: '\x1b[34m', warn: '\x1b[33m', warning: '\x1b[33m' };

export function formatLogText(entry: LogEntry, ansi = false): string {
  const paint = (code: string, text: string) => (ansi ? `${code}${text}${RESET}` : text);
  const time = paint(FAINT, rfc3339(entry.timestamp));
  const region = paint(GREEN, entry.region);
  const level = paint(LEVEL_COLOUR[entry.level] ?? '\x1b[31m', entry.level);
  return `${time} ${entry.provider}[${entry.instance}] ${region} [${level}]${entry.message}\n`;
}

/** logs.LogEntry: tagged lower-case top level; Meta's untagged fields are all present, even empty. */
export function formatLogJson(entry: LogEntry): string {
  return goJson({
    level: entry.level,
    instance: entry.instance,
    message: entry.message,
    region: entry.region,
    timestamp: rfc3339Nano(entry.timestamp),
    meta: {
      Instance: entry.instance,
      Region: entry.region,
      Event: { Provider: entry.provider },
      HTTP: { Request: { ID: '', Method: '', Version: '' }, Response: { status_code: 0 } },
      Error: { Code: 0, Message: '' },
      URL: { Full: '' },
    },
  });
}
