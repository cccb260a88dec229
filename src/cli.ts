/**
 * rollback-watchdog's command line. Exit codes: 0 success, 1 runtime failure, 2 invalid usage or config.
 */
import { parseArgs } from 'node:util';
import { loadConfig } from './config/load.ts';
import { resolveTargets } from './config/resolve.ts';
import { deprecatedSettings } from './config/deprecations.ts';
import { formatDuration } from './infra/duration.ts';
import { hasCode } from './infra/errors.ts';
import { CLIENT_USAGE, isClientCommand } from './client/usage.ts';

const USAGE = `usage: rollback-watchdog <command> [options]

commands:
  run [--config FILE]       run the daemon (config: --config, $ROLLBACK_WATCHDOG_CONFIG, or config/watchdog.yaml)
  check-config FILE         validate a config file and print a summary (unset \${VAR}s are listed, not errors)

${CLIENT_USAGE}`;

export const EXIT_OK = 0;
export const EXIT_FAILURE = 1;
export const EXIT_USAGE = 2;

async function checkConfig(path: string | undefined): Promise<number> {
  if (!path) {
    process.stderr.write(`check-config: missing FILE argument\n${USAGE}`);
    return EXIT_USAGE;
  }
  const { config, unsetEnv } = await loadConfig(path, process.env, { allowUnsetEnv: true });
  const lines = [`${path}: valid`, `  store: sqlite ${config.store.sqlite}`, `  admin: ${config.admin.host}:${config.admin.port}, ${config.admin.tokens.length} token(s)`, `  poll: ${config.detection.pollSchedule}`, `  targets:`];
  for (const t of resolveTargets(config)) {
    lines.push(
      `    ${t.name} (app ${t.app}, ${t.environment}): ${t.probes.length} probe(s) [${t.probes.map((p) => p.name).join(', ')}], ` +
        `window ${formatDuration(t.guard.watchWindow)}, every ${formatDuration(t.guard.probeInterval)}, ` +
        `fail after ${t.guard.failureThreshold}, rollback ${t.rollback.strategy ?? 'with the app\'s own strategy'}` +
        (t.errorRate ? `, error rate from ${t.errorRate.source.type}` : '') +
        (t.latency ? ', latency' : '') +
        (t.migrations ? ', migration-aware' : '') +
        (t.mode !== 'auto' ? `, mode ${t.mode}` : ''),
    );
  }
  for (const g of config.groups) lines.push(`  group ${g.name}: ${g.targets.join(' → ')} (window ${formatDuration(g.window)})`);
  for (const m of config.mobile) lines.push(`  mobile ${m.name}: expo, branch ${m.branch} (manual OTA rollback)`);
  if (config.notifications.channels.length > 0) {
    lines.push(`  notifications: ${config.notifications.channels.map((c) => `${c.name} (${c.type})`).join(', ')}`);
  }
  const deprecated = deprecatedSettings(config);
  if (deprecated.length > 0) {
    lines.push('  deprecated settings (accepted, but ignored):');
    for (const d of deprecated) lines.push(`    ${d.path}: ${d.replacement}`);
  }
  if (unsetEnv.length > 0) {
    lines.push('  environment variables not set here (needed at run time):');
    for (const u of unsetEnv) lines.push(`    ${u.variable} (${u.path})`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  return EXIT_OK;
}

async function run(path: string): Promise<number> {
  const { startDaemon } = await import('./main.ts');
  const daemon = await startDaemon(await loadConfig(path));
  return new Promise<number>((resolve) => {
    let stopping = false;
    // Stay subscribed for the process's whole life: execa's signal-exit re-raises a signal when it
    // sees no other listener, which would kill us mid-shutdown while a flyctl call is running.
    const onSignal = (signal: NodeJS.Signals) => {
      if (stopping) {
        daemon.logger.warn({ signal }, 'second signal: exiting without waiting');
        resolve(EXIT_FAILURE);
        return;
      }
      stopping = true;
      daemon.logger.info({ signal }, 'signal received');
      void daemon.stop().then(() => resolve(EXIT_OK));
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
}

async function dispatch(argv: string[]): Promise<number> {
  // Operator commands parse their own options (--to, --reason, ...); they must come first.
  const [first, ...args] = argv;
  if (first === 'watch') return (await import('./client/watch.ts')).runWatchProcess(args);
  if (isClientCommand(first)) {
    const { runClient } = await import('./client/run-client.ts');
    return runClient(first, args, {
      env: process.env,
      out: (text) => process.stdout.write(text),
      err: (text) => process.stderr.write(text),
    });
  }
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) {
    process.stdout.write(USAGE);
    return values.help ? EXIT_OK : EXIT_USAGE;
  }
  switch (command) {
    case 'check-config':
      return checkConfig(rest[0] ?? values.config);
    case 'run':
      return run(values.config ?? process.env.ROLLBACK_WATCHDOG_CONFIG ?? 'config/watchdog.yaml');
    default:
      process.stderr.write(`unknown command: ${command}\n${USAGE}`);
      return EXIT_USAGE;
  }
}

/** Runs one command and maps every failure to a message on stderr and an exit code. */
export async function main(argv: string[]): Promise<number> {
  try {
    return await dispatch(argv);
  } catch (err) {
    if (hasCode(err, 'WD_ERR_CONFIG_INVALID') || hasCode(err, 'WD_ERR_CONFIG_UNREADABLE') || hasCode(err, 'WD_ERR_CONFIG_TOO_LARGE')) {
      process.stderr.write(`${(err as Error).message}\n`);
      return EXIT_USAGE;
    }
    if ((err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`${(err as Error).message}\n${USAGE}`);
      return EXIT_USAGE;
    }
    process.stderr.write(`rollback-watchdog: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_FAILURE;
  }
}

if (import.meta.main) process.exit(await main(process.argv.slice(2)));
