/**
 * The operator commands' names and help text, apart from their implementation so the CLI can
 * print usage and route a command without loading the HTTP client (undici) for `run`.
 */

export const DEFAULT_URL = 'http://127.0.0.1:8080';

export const CLIENT_COMMANDS: ReadonlySet<string> = new Set([
  'status', 'targets', 'incidents', 'rollback', 'pause', 'resume', 'mode', 'approve', 'veto', 'abort', 'mark-good', 'mark-bad', 'gate',
]);

export const isClientCommand = (name: string | undefined): name is string => name !== undefined && CLIENT_COMMANDS.has(name);

export const CLIENT_USAGE = `operator commands (talk to a running daemon):
  status                                  global controls and every target
  targets                                 configured targets
  incidents                               open and recent incidents
  rollback TARGET [--to VERSION | --image REF] [--force] [--reason R]
                                          roll back (default: to the last known good release)
  pause [TARGET] [--reason R]             stop automatic rollbacks (one target, or all)
  resume [TARGET] [--reason R]            allow them again
  mode auto|approve|dry-run [TARGET]      set the rollback mode (one target, or all)
  approve TARGET | veto TARGET            decide a held rollback
  abort TARGET                            end the running guard without a verdict
  mark-good TARGET VERSION | mark-bad TARGET VERSION
  gate TARGET IMAGE                       may IMAGE be promoted to TARGET? exits 0 only if passed
  watch [--target NAME]                   follow live events, one line each, until Ctrl-C (reconnects on its own)

  options: --url URL (default $ROLLBACK_WATCHDOG_URL or ${DEFAULT_URL}), --json
  the token is read from $ROLLBACK_WATCHDOG_TOKEN only (never a flag: flags end up in shell history)
`;

