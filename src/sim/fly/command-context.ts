/** What every fake-fly command gets, and the one error type that becomes `Error: <msg>`, exit 1. */
import type { ParsedArgs } from './args.ts';
import type { ControlClient } from './control-client.ts';
import type { LocalConfig } from './local-config.ts';

export interface CommandContext {
  client: ControlClient;
  app: string;
  flags: ParsedArgs['flags'];
  args: string[];
  /** The fly.toml flyctl loaded from its working directory (or -c), if any. */
  localConfig: LocalConfig | undefined;
  env: Readonly<Record<string, string | undefined>>;
  out: (text: string) => void;
  err: (text: string) => void;
  /** The simulator's clock when the command started (relative dates use it). */
  simNow: number;
  sleep: (ms: number) => Promise<void>;
}

export class FlyCommandError extends Error {
  override readonly name = 'FlyCommandError';
  /** flyctl internal/cli/cli.go: 1 for errors, 126 for a deadline exceeded. */
  readonly exitCode: number;

  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
}
