/**
 * What the store-lock benchmark reads after the lock: from the daemon's SQLite file (what was
 * written), from its log (what failed) and from the simulator (what was deployed). Read beside the
 * running daemon: WAL lets a reader in while it writes.
 */
import { DatabaseSync } from 'node:sqlite';
import type { Stack } from '../../test/integration/stack.ts';

/** The newest audit and journal ids: what the lock's window starts after. */
export function lastIds(dbPath: string): { audit: number; journal: number } {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const max = (table: string) => (db.prepare(`SELECT coalesce(max(id), 0) AS id FROM ${table}`).get() as { id: number }).id;
    return { audit: max('audit'), journal: max('journal') };
  } finally {
    db.close();
  }
}

export interface Written {
  /** Audit rows after `since.audit`, as `action target status`. */
  audit: string[];
  /** Journal kinds after `since.journal`, per target. */
  journal: Record<string, string[]>;
  /** Targets whose latest incident holds the fly logs the daemon fetched for it. */
  incidentsWithLogs: string[];
}

export function written(dbPath: string, since: { audit: number; journal: number }): Written {
  const db = new DatabaseSync(dbPath, { readOnly: true });
  try {
    const audit = (db.prepare('SELECT action, target, status FROM audit WHERE id > ? ORDER BY id').all(since.audit) as { action: string; target: string; status: number }[]).map(
      (r) => `${r.action} ${r.target} ${r.status}`,
    );
    const journal: Record<string, string[]> = {};
    for (const r of db.prepare('SELECT target, kind FROM journal WHERE id > ? ORDER BY id').all(since.journal) as { target: string; kind: string }[]) {
      (journal[r.target] ??= []).push(r.kind);
    }
    const incidents = db.prepare('SELECT target, data FROM incidents ORDER BY opened_at').all() as { target: string; data: string }[];
    const latest = new Map(incidents.map((i) => [i.target, JSON.parse(i.data) as { evidence: { kind: string }[] }]));
    const incidentsWithLogs = [...latest].filter(([, i]) => i.evidence.some((e) => e.kind === 'fly-logs')).map(([target]) => target);
    return { audit, journal, incidentsWithLogs };
  } finally {
    db.close();
  }
}

/** Log lines of store writes that failed (each one something dropped), and of guard steps not taken in. */
export function failures(stack: Stack): { failedWrites: number; droppedSteps: number; messages: string[] } {
  const failed = stack.daemon.records.filter((r) => /database is locked|WD_ERR_STORE_LOCKED/.test(JSON.stringify(r.err ?? '')));
  const dropped = stack.daemon.records.filter((r) => r.msg === 'guard step failed; state unchanged');
  return { failedWrites: failed.length, droppedSteps: dropped.length, messages: [...new Set(failed.map((r) => String(r.msg)))] };
}

export const flyDeploys = (stack: Stack, app: string) => stack.sim.invocations().filter((i) => i.argv[0] === 'deploy' && i.argv.includes(app)).length;
