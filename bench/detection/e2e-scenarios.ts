/**
 * What the end-to-end suite deploys: one bad (or healthy) release per scenario, as a simulator
 * behaviour profile. Each scenario gets two identical apps, one guarded by the watchdog and one by
 * the Prometheus + Alertmanager peer, so neither detector's rollback hides the fault from the other.
 */

/** Error probability of simulated traffic on a healthy release (the simulator's default). */
export const BASELINE_ERROR_RATE = 0.005;

export interface E2eScenario {
  name: string;
  /** Simulator profile of the new release (src/sim/profile.ts). */
  profile: string;
  /** False for the healthy release: any rollback of it is a false rollback. */
  bad: boolean;
  /** The watchdog target also runs a smoke test (the class only a user journey catches). */
  smoke: boolean;
  /** Not in the list; shown so the peer's own latency appears when its rule can fire. */
  extra: boolean;
  what: string;
}

const errorsTimes = (multiplier: number) => `errors:${Math.round(BASELINE_ERROR_RATE * multiplier * 1000) / 10}`;

export const E2E_SCENARIOS: readonly E2eScenario[] = [
  { name: 'down', profile: 'down', bad: true, smoke: false, extra: false, what: 'process dead: connections refused, no traffic served' },
  { name: 'unready', profile: 'unready', bad: true, smoke: false, extra: false, what: 'health 200, readiness 503' },
  // ×10 of a 0.5 % baseline is 5 %: exactly at the peer rule's `> 0.05`, which is why the extra row exists.
  { name: 'errors-x10', profile: errorsTimes(10), bad: true, smoke: false, extra: false, what: '10× the baseline error rate' },
  { name: 'errors-x20', profile: errorsTimes(20), bad: true, smoke: false, extra: true, what: '20× the baseline error rate' },
  // Probes (3 s timeout) pass at 1.5 s; the smoke test's 1 s budget for the home page does not.
  { name: 'smoke-failure', profile: 'slow:1500', bad: true, smoke: true, extra: false, what: 'every response 1.5 s slower; only the smoke test fails' },
  { name: 'healthy', profile: 'healthy', bad: false, smoke: false, extra: false, what: 'a good release' },
];

export type DetectorName = 'watchdog' | 'peer';

/** Fly app name of a scenario's app for one detector (also its watchdog target name). */
export function appName(scenario: E2eScenario, detector: DetectorName): string {
  return `${scenario.name}-${detector === 'watchdog' ? 'wd' : 'peer'}`;
}

/** The scenarios named in `--scenarios a,b` (all when undefined); throws on an unknown name. */
export function selectScenarios(list: string | undefined): E2eScenario[] {
  if (list === undefined) return [...E2E_SCENARIOS];
  const names = list.split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = names.filter((n) => !E2E_SCENARIOS.some((s) => s.name === n));
  if (unknown.length > 0 || names.length === 0) {
    throw new Error(`unknown scenario ${unknown.join(', ') || '(none given)'}; choose from ${E2E_SCENARIOS.map((s) => s.name).join(', ')}`);
  }
  return E2E_SCENARIOS.filter((s) => names.includes(s.name));
}
