/**
 * The runner's I/O beside the decisions: checking which image the machines run, and gathering
 * evidence (fly logs, the database migration marker). Each reports its outcome and never throws.
 */
import type { Clock } from '../../infra/clock.ts';
import type { Logger } from '../../infra/log.ts';
import type { Platform } from '../../platform/types.ts';
import type { SecretRegistry } from '../../infra/secrets.ts';
import { readMigrationMarker } from '../../signals/migration-marker.ts';
import { type MigrationSource } from '../../config/signal-schemas.ts';
import type { Measurement } from '../../domain/measurement.ts';
import type { Store } from '../../store/types.ts';
import { sameBuild, type BuildRef } from '../../domain/build-identity.ts';
import type { IncidentEvidence } from '../../domain/incident.ts';
import { MACHINES_CHECK } from '../step/context.ts';

/** Lines of `fly logs` kept as an incident's evidence, as the runbook's `| head -50`. */
export const INCIDENT_LOG_LINES = 50;

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

export function errorCode(err: unknown): string | undefined {
  const code = (err as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
}

/**
 * A deploy can report success while a machine stays on another image, so verification also asks
 * the platform which image every started machine runs.
 */
export async function machinesOnImage(platform: Platform, app: string, build: BuildRef, clock: Clock, signal: AbortSignal): Promise<Measurement> {
  const started = clock.now();
  const m = (phase: Measurement['phase'], detail: string): Measurement => ({ check: MACHINES_CHECK, phase, at: clock.now(), durationMs: clock.now() - started, detail });
  try {
    const status = await platform.status(app, signal);
    const running = status.machines.filter((machine) => machine.state === 'started');
    if (running.length === 0) return m('failed', 'no started machine');
    const stray = running.filter((machine) => !sameBuild(machine, build));
    if (stray.length > 0) return m('failed', `${stray.length} of ${running.length} machines on another image (${stray.map((x) => x.id).join(', ')})`);
    return m('successful', `all ${running.length} started machines run the rollback image`);
  } catch (err) {
    return m('error', `fly status failed: ${errorMessage(err)}`);
  }
}

/**
 * Fly's own view of the app: true when it has started machines and every check on every one of
 * them passes; undefined when it cannot be read (then it counts for nothing either way).
 */
export async function platformChecksPass(platform: Platform, app: string, signal: AbortSignal): Promise<boolean | undefined> {
  try {
    const started = (await platform.status(app, signal)).machines.filter((m) => m.state === 'started');
    return started.length > 0 && started.every((m) => m.checks.length > 0 && m.checks.every((c) => c.status === 'passing'));
  } catch {
    return undefined;
  }
}

/**
 * The runbook's "read fly logs", done for the on-call engineer and kept with the incident. Says
 * whether the logs were read; a store that cannot keep them is logged, never thrown.
 */
export async function attachFlyLogs(platform: Platform, store: Store, app: string, incidentId: string, clock: Clock, log: Logger): Promise<boolean> {
  let evidence: IncidentEvidence;
  let read = true;
  try {
    evidence = { kind: 'fly-logs', at: clock.now(), lines: await platform.recentLogs(app, INCIDENT_LOG_LINES) };
  } catch (err) {
    read = false;
    evidence = { kind: 'note', at: clock.now(), text: `fly logs unavailable: ${errorMessage(err)}` };
  }
  try {
    await store.addIncidentEvidence(incidentId, evidence);
  } catch (err) {
    log.warn({ incidentId, err: { code: errorCode(err), message: errorMessage(err) } }, 'could not keep fly logs with the incident');
  }
  return read;
}

/**
 * Notes which database migration a new release runs on. A failed read leaves it unrecorded, which
 * makes any later rollback from this release wait for a human: unknown counts as crossing.
 */
export async function recordMigrationMarker(
  source: MigrationSource,
  deps: { store: Store; secrets: SecretRegistry; log: Logger },
  target: string,
  version: number,
  signal: AbortSignal,
): Promise<void> {
  try {
    const marker = await readMigrationMarker(source, deps.secrets, signal);
    await deps.store.setMigrationMarker(target, version, marker);
    deps.log.info({ version, migrationMarker: marker }, 'recorded the database migration the release runs on');
  } catch (err) {
    deps.log.warn({ version, err: { message: errorMessage(err) } }, 'could not read the database migration marker; rollbacks from this release will be held');
  }
}
