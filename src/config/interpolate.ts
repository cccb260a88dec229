/**
 * `${VAR}` in any string of the config reads the environment, so secrets stay out of the file.
 * `${VAR:-fallback}` gives a default; `$${` writes a literal `${`.
 */
const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export interface InterpolationProblem {
  path: (string | number)[];
  /** The unset variable. */
  variable: string;
  message: string;
}

/**
 * What stands in for an unset variable when the caller only wants the file's shape checked
 * (`check-config` on a machine without the secrets): a URL (many secrets are webhook URLs) that is
 * also long enough to pass token length checks, and can never resolve (.invalid, RFC 2606).
 */
export const unsetPlaceholder = (name: string) => `https://unset.invalid/${name}`;

/** Returns a copy of `value` with references replaced; unset variables are reported, not blanked. */
export function interpolateEnv(
  value: unknown,
  env: Record<string, string | undefined>,
  problems: InterpolationProblem[],
  path: (string | number)[] = [],
  placeholders = false,
): unknown {
  if (typeof value === 'string') {
    return value.replace(REFERENCE, (match, name: string | undefined, fallback: string | undefined) => {
      if (match === '$${') return '${';
      const resolved = env[name as string];
      if (resolved !== undefined && resolved !== '') return resolved;
      if (fallback !== undefined) return fallback;
      problems.push({ path, variable: name as string, message: `environment variable ${name} is not set` });
      return placeholders ? unsetPlaceholder(name as string) : match;
    });
  }
  if (Array.isArray(value)) return value.map((item, i) => interpolateEnv(item, env, problems, [...path, i], placeholders));
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([key, item]) => [key, interpolateEnv(item, env, problems, [...path, key], placeholders)]),
    );
  }
  return value;
}
