/**
 * Behaviour profiles: what an image does once deployed. An image is pushed with a profile (like a
 * build that happens to be broken) and the fake app behaves accordingly while it runs that image.
 * Parsing and the behaviour questions are pure so the fake app, traffic and `fly status` agree.
 */
import { SIM_ERR_PROFILE_INVALID } from './sim-errors.ts';

export type Profile =
  | { kind: 'healthy' }
  /** The process is dead: the port refuses connections. */
  | { kind: 'down' }
  /** Health answers 200 but readiness 503 (e.g. the database is unreachable). */
  | { kind: 'unready' }
  /** `percent`% of requests (probes included) answer 500. */
  | { kind: 'errors'; percent: number }
  /** Every app response is delayed by `delayMs`. */
  | { kind: 'slow'; delayMs: number };

const USAGE = 'expected healthy, down, unready, errors:<percent 0-100> or slow:<milliseconds>';

/** Parses `name` or `name:arg`; throws SIM_ERR_PROFILE_INVALID with the accepted forms. */
export function parseProfile(spec: string): Profile {
  const [name, arg, extra] = spec.trim().split(':');
  const invalid = (why: string) => new SIM_ERR_PROFILE_INVALID(spec, why);
  if (extra !== undefined) throw invalid(`profiles do not combine; ${USAGE}`);
  const number = (): number => {
    if (arg === undefined || !/^\d+(\.\d+)?$/.test(arg)) throw invalid(`"${name}" needs a number; ${USAGE}`);
    return Number(arg);
  };
  const noArg = <P extends Profile>(p: P): P => {
    if (arg !== undefined) throw invalid(`"${name}" takes no argument; ${USAGE}`);
    return p;
  };
  switch (name) {
    case 'healthy':
      return noArg({ kind: 'healthy' });
    case 'down':
      return noArg({ kind: 'down' });
    case 'unready':
      return noArg({ kind: 'unready' });
    case 'errors': {
      const percent = number();
      if (percent > 100) throw invalid(`percent must be at most 100; ${USAGE}`);
      return { kind: 'errors', percent };
    }
    case 'slow':
      return { kind: 'slow', delayMs: Math.round(number()) };
    default:
      throw invalid(`unknown profile; ${USAGE}`);
  }
}

export function formatProfile(p: Profile): string {
  switch (p.kind) {
    case 'errors':
      return `errors:${p.percent}`;
    case 'slow':
      return `slow:${p.delayMs}`;
    default:
      return p.kind;
  }
}

/** `down` is the only profile whose port is closed. */
export function isListening(p: Profile): boolean {
  return p.kind !== 'down';
}

/**
 * Probability that one request fails. Simulated traffic fails at `baseline` even when healthy, as
 * real traffic does; probes (`forTraffic` false) on a healthy app never fail, so a watchdog test
 * cannot flake on one unlucky probe.
 */
export function errorProbability(p: Profile, baseline: number, forTraffic = true): number {
  if (p.kind === 'errors') return p.percent / 100;
  if (p.kind === 'down') return 1;
  return forTraffic ? baseline : 0;
}

export function responseDelayMs(p: Profile): number {
  return p.kind === 'slow' ? p.delayMs : 0;
}

export function isReady(p: Profile): boolean {
  return p.kind !== 'unready' && p.kind !== 'down';
}
