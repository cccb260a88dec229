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
/** Not running and not expected to come back by itself; Fly's autostop gives `stopped` or `suspended`. */
const STOPPED_STATES = new Set(['stopped', 'suspended']);

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
      const assessment = assessMachines(status.machines, spec.autostop);
      return measurement(assessment.phase, assessment.detail, assessment.values);
    } catch (err) {
      if (signal.aborted) return measurement('inconclusive', 'platform status aborted');
      const message = err instanceof Error ? err.message : String(err);
      return measurement('error', truncate(secrets.mask(`platform status failed: ${message}`), MAX_DETAIL_CHARS));
    }
  }
}

/**
 * Judges the machines of one app. Pure.
 * - `failed`: a machine in state `failed`; a started machine with a `critical` check; unless
 *   `autostop`, a stopped machine (all of them stopped, too: a crashed worker looks exactly so).
 * - `inconclusive`: no machines, none started yet (with autostop: all stopped), or no started
 *   machine reports any check (the app defines none).
 * - `successful`: every check of every started machine is passing (or `warning`, which Fly itself
 *   does not treat as unhealthy).
 */
export function assessMachines(machines: readonly MachineStatus[], autostop: boolean): MachinesAssessment {
  const running = machines.filter((m) => m.state === 'started');
  const checks = running.flatMap((m) => m.checks.map((c) => ({ machine: m.id, ...c })));
  const count = (status: string) => checks.filter((c) => c.status === status).length;
  const values = {
    machines: machines.length,
    started: running.length,
    checksPassing: count('passing'),
    checksWarning: count('warning'),
    checksCritical: count('critical'),
  };
  const result = (phase: MachinesAssessment['phase'], detail: string): MachinesAssessment => ({
    phase,
    detail: truncate(detail, MAX_DETAIL_CHARS),
    values,
  });

  const problems = [
    ...machines.filter((m) => m.state === 'failed').map((m) => `machine ${m.id} failed`),
    ...(autostop ? [] : machines.filter((m) => STOPPED_STATES.has(m.state)).map((m) => `machine ${m.id} ${m.state}`)),
    ...checks.filter((c) => c.status === 'critical').map((c) => `machine ${c.machine} check ${c.name} critical`),
  ];
  if (problems.length > 0) {
    const of = running.length === 0 && !autostop ? ` (no machine of ${machines.length} started)` : '';
    return result('failed', `${problems.join('; ')}${of}`);
  }
  if (machines.length === 0) return result('inconclusive', 'no machines');
  if (running.length === 0) return result('inconclusive', `no machine started (${describeStates(machines)})`);
  if (checks.length === 0) return result('inconclusive', `no checks reported by ${plural(running.length, 'started machine')}`);
  const warnings = values.checksWarning > 0 ? `, ${values.checksWarning} warning` : '';
  return result('successful', `${plural(running.length, 'machine')} started, ${plural(values.checksPassing, 'check')} passing${warnings}`);
}

function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}

/** `2 stopped, 1 created`. */
function describeStates(machines: readonly MachineStatus[]): string {
  const byState = new Map<string, number>();
  for (const m of machines) byState.set(m.state, (byState.get(m.state) ?? 0) + 1);
  return [...byState].map(([state, n]) => `${n} ${state}`).join(', ');
}
