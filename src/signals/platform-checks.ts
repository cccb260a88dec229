/**
 * Platform checks provider: what Fly itself says about the app's machines (`fly status --json`):
 * their states and the results of the service checks Fly runs inside its network. For an app with
 * no public HTTP (a worker) this is the main signal; for others it sees every machine, where a
 * probe through the proxy sees whichever one answered.
 */
import type { Clock } from '../infra/clock.ts';
import { truncate } from '../infra/exec/text.ts';
import type { MachineStatus, Platform } from '../platform/types.ts';
import type { SecretRegistry } from '../infra/secrets.ts';
import type { PlatformChecks } from '../config/signal-schemas.ts';
import type { Measurement, MeasurementPhase } from '../domain/measurement.ts';
import type { Provider } from './types.ts';

export interface PlatformChecksOptions {
  platform: Platform;
  /** The target's app, used when the spec names none. */
  app: string;
  clock: Clock;
  secrets: SecretRegistry;
}

export interface MachinesAssessment {
  phase: Exclude<MeasurementPhase, 'error'>;
  detail: string;
  values: { machines: number; started: number; checksPassing: number; checksWarning: number; checksCritical: number };
}

/** A measurement detail is one line; a large app's problem list is cut here. */
const MAX_DETAIL_CHARS = 300;
/** States a machine rests in when it does not run: Fly's autostop gives `stopped` or `suspended`. */
const STOPPED_STATES = new Set(['stopped', 'suspended']);
/** Check statuses that say the check ran; any other (Fly reports none yet) is a pending result. */
const RESULT_STATUSES = new Set(['passing', 'warning', 'critical']);

export class PlatformChecksProvider implements Provider<PlatformChecks> {
  readonly type = 'platform-checks';
  readonly #opts: PlatformChecksOptions;

  constructor(options: PlatformChecksOptions) {
    this.#opts = options;
  }

  /** One `fly status`; never throws. A platform failure is `error`, an abort `inconclusive`. */
  async run(spec: PlatformChecks, signal: AbortSignal): Promise<Measurement> {
    const started = performance.now();
    const { platform, clock, secrets } = this.#opts;
    const measurement = (phase: MeasurementPhase, detail: string, values?: Measurement['values']): Measurement => ({
      check: spec.name,
      phase,
      at: clock.now(),
      durationMs: Math.round(performance.now() - started),
      detail,
      ...(values ? { values } : {}),
    });
    try {
      const status = await platform.status(spec.app ?? this.#opts.app, signal);
      const assessment = assessMachines(status.machines);
      return measurement(assessment.phase, assessment.detail, assessment.values);
    } catch (err) {
      if (signal.aborted) return measurement('inconclusive', 'platform status aborted');
      const message = err instanceof Error ? err.message : String(err);
      return measurement('error', truncate(secrets.mask(`platform status failed: ${message}`), MAX_DETAIL_CHARS));
    }
  }
}

/**
 * Judges the machines of one app. Pure. What Fly stops by design is left out:
 * - a stopped *standby* (config.standbys): flyctl gives every process group without services one
 *   always-on machine and one stopped standby for it (deploy/machines_deploymachinesapp.go
 *   deployCreateMachinesForGroups); it only starts when its machine fails;
 * - an *idle* machine, stopped or suspended by Fly's proxy because its services have autostop on
 *   (`fly launch` writes `auto_stop_machines = "stop"`); each machine says so in its own config.
 *
 * - `failed`: a machine in state `failed`; a started machine with a `critical` check; any other
 *   stopped machine (all of them stopped, too: a crashed worker looks exactly so).
 * - `inconclusive`: no machines, none started yet (or all idle), a check without a result yet, or
 *   no started machine reports any check (the app defines none).
 * - `successful`: every check of every started machine is passing (or `warning`, which Fly itself
 *   does not treat as unhealthy).
 */
export function assessMachines(all: readonly MachineStatus[]): MachinesAssessment {
  const resting = (m: MachineStatus) => STOPPED_STATES.has(m.state);
  const standbys = all.filter((m) => (m.standbyFor?.length ?? 0) > 0 && resting(m));
  const machines = all.filter((m) => !standbys.includes(m));
  const idle = machines.filter((m) => resting(m) && (m.autostop === 'stop' || m.autostop === 'suspend'));
  const running = machines.filter((m) => m.state === 'started');
  const checks = running.flatMap((m) => m.checks.map((c) => ({ machine: m.id, ...c })));
  const count = (status: string) => checks.filter((c) => c.status === status).length;
  const values = {
    machines: machines.length,
    started: running.length,
    checksPassing: count('passing'),
    checksWarning: count('warning'),
    checksCritical: count('critical'),
    ...(standbys.length > 0 ? { standbys: standbys.length } : {}),
    ...(idle.length > 0 ? { idle: idle.length } : {}),
  };
  const result = (phase: MachinesAssessment['phase'], detail: string): MachinesAssessment => ({
    phase,
    detail: truncate(detail, MAX_DETAIL_CHARS),
    values,
  });

  const problems = [
    ...machines.filter((m) => m.state === 'failed').map((m) => `machine ${m.id} failed`),
    ...machines.filter((m) => resting(m) && !idle.includes(m)).map((m) => `machine ${m.id} ${m.state}`),
    ...checks.filter((c) => c.status === 'critical').map((c) => `machine ${c.machine} check ${c.name || '(unnamed)'} critical`),
  ];
  if (problems.length > 0) {
    const of = running.length === 0 && idle.length === 0 ? ` (no machine of ${machines.length} started)` : '';
    return result('failed', `${problems.join('; ')}${of}`);
  }
  if (machines.length === 0) return result('inconclusive', standbys.length > 0 ? `no machines but ${plural(standbys.length, 'standby')}` : 'no machines');
  if (running.length === 0) return result('inconclusive', `no machine started (${describeStates(machines, idle)})`);
  if (checks.length === 0) return result('inconclusive', `no checks reported by ${plural(running.length, 'started machine')}`);
  const pending = checks.filter((c) => !RESULT_STATUSES.has(c.status)).length;
  if (pending > 0) return result('inconclusive', `${pending} check${pending === 1 ? '' : 's'} of ${checks.length} ${pending === 1 ? 'has' : 'have'} no result yet`);
  const warnings = values.checksWarning > 0 ? `, ${values.checksWarning} warning` : '';
  const resting_ = [idle.length > 0 ? `${idle.length} idle` : '', standbys.length > 0 ? plural(standbys.length, 'standby') : ''].filter(Boolean).join(', ');
  return result('successful', `${plural(running.length, 'machine')} started, ${plural(values.checksPassing, 'check')} passing${warnings}${resting_ ? ` (${resting_})` : ''}`);
}

function plural(n: number, noun: string): string {
  return n === 1 ? `${n} ${noun}` : `${n} ${noun.replace(/y$/, 'ie')}s`;
}

/** `2 stopped, 1 created`; idle machines as `2 idle`. */
function describeStates(machines: readonly MachineStatus[], idle: readonly MachineStatus[]): string {
  const byState = new Map<string, number>();
  for (const m of machines) {
    const state = idle.includes(m) ? 'idle' : m.state || 'unknown';
    byState.set(state, (byState.get(state) ?? 0) + 1);
  }
  return [...byState].map(([state, n]) => `${n} ${state}`).join(', ');
}
