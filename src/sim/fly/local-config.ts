/**
 * The fly.toml flyctl finds before any command that needs an app (flyctl
 * internal/command/command.go LoadAppConfigIfPresent): `-c PATH` (that file, or PATH/fly.toml),
 * else fly.toml, fly.json or fly.yaml in the working directory (appConfigFilePaths). A file that
 * exists but does not parse fails every such command (`failed loading app config from …`), its
 * `app` names the app when neither `--app` nor FLY_APP does (RequireAppName), and `fly deploy`
 * deploys it onto whatever app it targets (deploy/deploy.go determineAppConfig).
 *
 * Only what the simulator models is read (app-config.ts); flyctl's own parsing is
 * internal/appconfig/serde.go (LoadConfig) with config.go and service.go for the keys.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { DEPLOY_STRATEGIES, type Autostop, type SimAppConfig, type SimService, type SimTopCheck } from '../app-config.ts';
import { FlyCommandError } from './command-error.ts';

export interface LocalConfig {
  path: string;
  config: SimAppConfig;
}

type Raw = Record<string, unknown>;

/** The config flyctl would load, or undefined when there is none. Throws FlyCommandError as flyctl fails. */
export function loadLocalConfig(cwd: string, configFlag: string | undefined): LocalConfig | undefined {
  const paths = configFlag
    ? [resolve(cwd, configFlag), join(resolve(cwd, configFlag), 'fly.toml')]
    : ['fly.toml', 'fly.json', 'fly.yaml'].map((name) => join(cwd, name));
  for (const path of paths) {
    let text: string;
    try {
      text = readFileSync(path, 'utf8');
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'EISDIR' || code === 'ENOTDIR') continue;
      throw new FlyCommandError(`failed loading app config from ${path}: ${(err as Error).message}`);
    }
    try {
      return { path, config: toSimConfig(parseFile(path, text)) };
    } catch (err) {
      throw new FlyCommandError(`failed loading app config from ${path}: ${(err as Error).message.split('\n')[0]}`);
    }
  }
  if (configFlag) throw new FlyCommandError(`config file not found at specified path: ${paths[0]} (also tried: ${paths[1]})`);
  return undefined;
}

function parseFile(path: string, text: string): Raw {
  const data: unknown = path.endsWith('.json') ? JSON.parse(text) : path.endsWith('.yaml') ? parseYaml(text) : parseToml(text);
  if (!isObject(data)) throw new Error('not a table of settings');
  return data;
}

/** The keys of fly.toml the simulator models, as appconfig reads them. */
export function toSimConfig(raw: Raw): SimAppConfig {
  const http = isObject(raw.http_service) ? raw.http_service : undefined;
  const deploy = isObject(raw.deploy) ? raw.deploy : {};
  const strategy = str(deploy.strategy);
  return {
    app: str(raw.app),
    processes: isObject(raw.processes) ? Object.keys(raw.processes) : [],
    services: [
      // service.go HTTPService.ToService: [http_service] is a service like any other.
      ...(http ? [service(http, list(http.checks))] : []),
      ...list(raw.services).map((s) => service(s, list(s.http_checks))),
    ],
    checks: Object.entries(isObject(raw.checks) ? raw.checks : {}).flatMap(([name, c]): SimTopCheck[] =>
      isObject(c) ? [{ name, type: c.type === 'tcp' ? 'tcp' : 'http', port: num(c.port), path: str(c.path), processes: strings(c.processes) }] : [],
    ),
    env: Object.fromEntries(Object.entries(isObject(raw.env) ? raw.env : {}).map(([k, v]) => [k, String(v)])),
    mounts: [...list(raw.mount), ...list(raw.mounts)].map((m) => ({ source: str(m.source), destination: str(m.destination), processes: strings(m.processes) })),
    releaseCommand: str(deploy.release_command),
    strategy: (DEPLOY_STRATEGIES as readonly string[]).includes(strategy) ? (strategy as SimAppConfig['strategy']) : '',
  };
}

function service(s: Raw, checks: Raw[]): SimService {
  return { processes: strings(s.processes), internalPort: num(s.internal_port), autostop: autostop(s.auto_stop_machines), checks: checks.map((c) => ({ path: str(c.path) || '/' })) };
}

/** fly-go MachineAutostop.UnmarshalText: false/off, true/stop, suspend. */
function autostop(value: unknown): Autostop {
  if (value === true || value === 'true' || value === 'stop') return 'stop';
  return value === 'suspend' ? 'suspend' : 'off';
}

function isObject(value: unknown): value is Raw {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** `[[x]]` is an array of tables; `[x]` a single one, which flyctl's patches accept too (appconfig/patches.go). */
function list(value: unknown): Raw[] {
  if (Array.isArray(value)) return value.filter(isObject);
  return isObject(value) ? [value] : [];
}

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function num(value: unknown): number {
  return typeof value === 'number' ? value : Number(value ?? 0) || 0;
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
}
