/** What every fake-fly command gets (and, re-exported, the one error type that becomes `Error: <msg>`). */
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

export { FlyCommandError } from './command-error.ts';
