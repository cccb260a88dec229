/**
 * Human-readable renderings of the admin API's answers. Pure: answer (and `now`) in, text out.
 * The shapes are the API's response schemas, so a field renamed there fails the typecheck here.
 */
import type { z } from 'zod';
import type { ControlResult, Gate, Marked, RollbackStarted, Status, TargetSummary } from '../admin/response-schema.ts';
import { relative, table, yesNo } from './table.ts';

type Summary = z.infer<typeof TargetSummary>;

/** What a target is doing, in a few words: the most specific thing an operator should know. */
export function note(t: Summary, now: number): string {
  if (t.phase === 'held' && t.hold) return `held (${t.hold.kind}): ${t.hold.reason}`;
  if (t.phase === 'guarding' && t.guard) return `guarding v${t.guard.version}, window ends ${relative(t.guard.endsAt, now)}`;
  if ((t.phase === 'rolling-back' || t.phase === 'verifying') && t.rollback) {
    return `v${t.rollback.from} → image of v${t.rollback.to} (attempt ${t.rollback.attempts})`;
  }
  return t.reason ?? '';
}

export function renderStatus(s: z.infer<typeof Status>, now: number): string {
  const g = s.global;
  const mode = g.mode ? `${g.mode} (set for all targets)` : 'per target (from the config)';
  const paused = g.paused ? `PAUSED${g.by ? ` by ${g.by}` : ''}${g.at ? ` ${relative(g.at, now)}` : ''}${g.reason ? `: ${g.reason}` : ''}` : 'no';
  const header = [`ready:   ${yesNo(s.ready)}`, `mode:    ${mode}`, `paused:  ${paused}`].join('\n');
  if (s.targets.length === 0) return `${header}\n\nno targets configured`;
  return `${header}\n\n${renderSummaries(s.targets, now)}`;
}

export function renderSummaries(targets: readonly Summary[], now: number): string {
  return table(
    ['name', 'environment', 'phase', 'since', 'current', 'mode', 'paused', 'note'],
    targets.map((t) => [t.name, t.environment, t.phase, relative(t.since, now), t.current && `v${t.current.version}`, t.mode, yesNo(t.paused), note(t, now)]),
  );
}

export function renderTargets(targets: readonly Summary[]): string {
  if (targets.length === 0) return 'no targets configured';
  return table(
    ['name', 'app', 'environment', 'mode', 'paused', 'phase', 'current image'],
    targets.map((t) => [t.name, t.app, t.environment, t.mode, yesNo(t.paused), t.phase, t.current?.imageRef]),
  );
}

/** The incident list (GET /api/v1/incidents); only the common fields are relied on. */
export function renderIncidents(body: unknown, now: number): string {
  const list = Array.isArray(body) ? body : (body as { incidents?: unknown } | undefined)?.incidents;
  if (!Array.isArray(list)) return 'unexpected answer from /api/v1/incidents (use --json to see it)';
  if (list.length === 0) return 'no incidents';
  const text = (v: unknown) => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);
  return table(
    ['id', 'target', 'version', 'status', 'outcome', 'opened', 'reason'],
    list.map((i: Record<string, unknown>) => [text(i.id), text(i.target), i.version === undefined ? undefined : `v${text(i.version)}`, text(i.status), text(i.outcome), relative(typeof i.openedAt === 'number' ? i.openedAt : text(i.openedAt), now), text(i.reason)]),
  );
}

export function renderRollback(r: z.infer<typeof RollbackStarted>): string {
  const from = r.target.rollback?.from ?? r.target.current?.version;
  const forced = r.forced ? ' (forced)' : '';
  return `${r.target.name}: rolling back${from ? ` v${from}` : ''} to the image of v${r.to.version}${forced}\n  image: ${r.to.imageRef}\n  phase: ${r.target.phase}`;
}

export function renderControl(verb: string, r: z.infer<typeof ControlResult>): string {
  const scope = r.scope === '*' ? 'all targets' : r.scope;
  const lines = [`${scope}: ${verb}`];
  if (r.effective) lines.push(`  now: mode ${r.effective.mode}, automatic rollbacks ${r.effective.paused ? 'paused' : 'on'}`);
  if (r.effective?.paused && verb === 'resumed') lines.push('  (still paused: every target is paused; run `rollback-watchdog resume` to resume all)');
  return lines.join('\n');
}

export function renderDecision(verb: string, t: Summary, now: number): string {
  const detail = note(t, now);
  return `${t.name}: ${verb}; phase ${t.phase}${detail ? `\n  ${detail}` : ''}`;
}

export function renderMarked(m: z.infer<typeof Marked>): string {
  return `${m.target}: v${m.version} marked ${m.verdict}`;
}

export function renderGate(g: z.infer<typeof Gate>): string {
  const lines = [`${g.verdict}: ${g.reason}`];
  if (g.releases.length > 0) {
    lines.push('', table(['target', 'version', 'verdict', 'why'], g.releases.map((r) => [r.target, `v${r.version}`, r.verdict, r.verdictReason])));
  }
  return lines.join('\n');
}
