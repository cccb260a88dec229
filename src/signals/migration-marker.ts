/**
 * Reads the latest applied database migration, as a number that only grows: Drizzle's
 * `created_at` of the newest row in `drizzle.__drizzle_migrations` (the journal's `when`). Teams
 * expose it with a tiny endpoint or a command, e.g.
 *   psql -tAc 'select max(created_at) from drizzle.__drizzle_migrations'
 * The watchdog records it with each release so a rollback never silently crosses a migration.
 */
import { request } from '../infra/undici.ts';
import { runCliViaHelper } from '../infra/exec/spawn-helper.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import type { MigrationSource } from '../config/signal-schemas.ts';


function pick(value: unknown, path: string | undefined): unknown {
  if (!path) return value;
  return path.split('.').reduce<unknown>((v, key) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined), value);
}

function toMarker(raw: unknown, what: string): number {
  const n = typeof raw === 'string' ? Number(raw.trim()) : raw;
  if (typeof n !== 'number' || !Number.isFinite(n)) throw new Error(`${what}: expected a number, got ${JSON.stringify(raw)?.slice(0, 80)}`);
  return n;
}

/** The current marker; throws a one-line, secret-free error when it cannot be read. */
export async function readMigrationMarker(source: MigrationSource, secrets: SecretRegistry, signal?: AbortSignal): Promise<number> {
  if (source.type === 'url') {
    const res = await request(source.url, {
      ...(source.headers && { headers: source.headers }),
      signal: signal ? AbortSignal.any([signal, AbortSignal.timeout(source.timeout)]) : AbortSignal.timeout(source.timeout),
    });
    if (res.statusCode !== 200) {
      await res.body.dump();
      throw new Error(`migration marker URL answered ${res.statusCode}`);
    }
    return toMarker(pick(await res.body.json(), source.field), `migration marker field ${source.field}`);
  }
  const [binary, ...args] = source.command as [string, ...string[]];
  const result = await runCliViaHelper(binary, args, { timeoutMs: source.timeout, secrets, ...(signal && { signal }) });
  const text = result.stdout.trim();
  return toMarker(source.field ? pick(JSON.parse(text), source.field) : text, 'migration marker command output');
}
