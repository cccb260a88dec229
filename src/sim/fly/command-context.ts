/** What every fake-fly command gets, and the one error type that becomes `Error: <msg>`, exit 1. */
import type { ParsedArgs } from './args.ts';
import type { ControlClient } from './control-client.ts';

export interface CommandContext {
  client: ControlClient;
  app: string;
  flags: ParsedArgs['flags'];
  env: Readonly<Record<string, string | undefined>>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** The simulator's clock when the command started (relative dates use it). */
  simNow: number;
  sleep: (ms: number) => Promise<void>;
}

export class FlyCommandError extends Error {
  override readonly name = 'FlyCommandError';
}
