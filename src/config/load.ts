import { open } from 'node:fs/promises';
import { parseDocument } from 'yaml';
import type { z } from 'zod';
import { WD_ERR_CONFIG_INVALID, WD_ERR_CONFIG_TOO_LARGE, WD_ERR_CONFIG_UNREADABLE } from '../infra/errors.ts';
import { SecretRegistry } from '../infra/secrets.ts';
import { interpolateEnv, type InterpolationProblem } from './interpolate.ts';
import { Config } from './schema.ts';
import { collectNotifySecrets } from './notify-schema.ts';
import { connectionSecrets } from '../infra/pg-secrets.ts';
import { collectSignalSecrets } from './signal-secrets.ts';

export type Env = Record<string, string | undefined>;

export interface LoadedConfig {
  config: Config;
  /** Every secret value the config holds, for masking logs and errors. */
  secrets: SecretRegistry;
  /** With `allowUnsetEnv`: the unset variables, with where they are used. */
  unsetEnv: { variable: string; path: string }[];
}

export interface ParseOptions {
  /**
   * Validate the file's shape even where `${VAR}` is unset (a placeholder stands in), reporting the
   * variables in `unsetEnv` instead of failing. For `check-config`; the daemon never sets this.
   */
  allowUnsetEnv?: boolean;
}

/** `targets[0].probes[1].url`: the form users see in errors. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out || '(root)';
}

function zodProblems(error: z.ZodError): string[] {
  const lines: string[] = [];
  for (const issue of error.issues) {
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${formatPath([...issue.path, key])}: unknown key`);
    } else if (issue.code === 'invalid_union' && issue.errors.length > 0) {
      // A union error is most useful as the problems of its closest branch.
      const nested = issue.errors.flat().map((sub) => `${formatPath([...issue.path, ...sub.path])}: ${sub.message}`);
      lines.push(...new Set(nested));
    } else {
      lines.push(`${formatPath(issue.path)}: ${issue.message}`);
    }
  }
  return lines;
}

function invalid(problems: string[]): Error {
  const err = new WD_ERR_CONFIG_INVALID(problems.join('\n'));
  return Object.assign(err, { problems });
}

/** Parses YAML text into a validated config. Throws WD_ERR_CONFIG_INVALID listing every problem. */
export function parseConfig(text: string, env: Env = process.env, options: ParseOptions = {}): LoadedConfig {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw invalid(doc.errors.map((e) => `yaml: ${e.message.split('\n')[0]}`));
  }
  const raw = doc.toJS() ?? {};
  const envProblems: InterpolationProblem[] = [];
  const allowUnset = options.allowUnsetEnv === true;
  const interpolated = interpolateEnv(raw, env, envProblems, [], allowUnset);
  const parsed = Config.safeParse(interpolated);
  const problems = [
    ...(allowUnset ? [] : envProblems.map((p) => `${formatPath(p.path)}: ${p.message}`)),
    ...(parsed.success ? [] : zodProblems(parsed.error)),
  ];
  if (problems.length > 0 || !parsed.success) throw invalid(problems);
  return {
    config: parsed.data,
    secrets: collectSecrets(parsed.data),
    unsetEnv: envProblems.map((p) => ({ variable: p.variable, path: formatPath(p.path) })),
  };
}

/**
 * A config file is a few KB; a far bigger one is a mistake or an attack, and parsing it could
 * exhaust the daemon's memory (issue 16: a 50 MB file did). It is refused before it is read.
 */
export const MAX_CONFIG_BYTES = 1024 * 1024;
const MAX_CONFIG_TEXT = '1 MiB';

/** The file's text, refused past MAX_CONFIG_BYTES without reading more than that (pipes and devices too). */
async function readConfigFile(path: string): Promise<string> {
  const unreadable = (err: unknown) => new WD_ERR_CONFIG_UNREADABLE(path, (err as NodeJS.ErrnoException).code ?? String(err));
  const file = await open(path, 'r').catch((err: unknown) => {
    throw unreadable(err);
  });
  try {
    const stats = await file.stat();
    if (stats.isFile() && stats.size > MAX_CONFIG_BYTES) throw new WD_ERR_CONFIG_TOO_LARGE(path, MAX_CONFIG_TEXT);
    const buffer = Buffer.alloc(MAX_CONFIG_BYTES + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await file.read(buffer, length, buffer.length - length, null).catch((err: unknown) => {
        throw unreadable(err);
      });
      length += bytesRead;
      if (bytesRead === 0 || length === buffer.length) break;
    }
    if (length > MAX_CONFIG_BYTES) throw new WD_ERR_CONFIG_TOO_LARGE(path, MAX_CONFIG_TEXT);
    return buffer.toString('utf8', 0, length);
  } finally {
    await file.close();
  }
}

export async function loadConfig(path: string, env: Env = process.env, options: ParseOptions = {}): Promise<LoadedConfig> {
  return parseConfig(await readConfigFile(path), env, options);
}

export function collectSecrets(config: Config): SecretRegistry {
  const secrets = new SecretRegistry();
  secrets.add(config.platform.fly.apiToken);
  for (const t of config.admin.tokens) secrets.add(t.token);
  collectNotifySecrets(config.notifications, secrets);
  for (const m of config.mobile) secrets.add(m.expoToken);
  if (config.store.postgres) for (const s of connectionSecrets(config.store.postgres)) secrets.add(s);
  // Headers sent to probed apps and migration-marker URLs are there to authenticate: an app that
  // echoes one must not put it into logs, measurements or incidents (issue 16).
  for (const target of config.targets) {
    for (const probe of target.probes) collectSignalSecrets(probe, secrets);
    if (target.migrations) collectSignalSecrets(target.migrations, secrets);
    if (target.errorRate) collectSignalSecrets(target.errorRate.source, secrets);
    if (target.latency) collectSignalSecrets(target.latency.source, secrets);
  }
  return secrets;
}
