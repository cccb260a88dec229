import type { Probe } from '../../src/config/schema.ts';
import type { Measurement, MeasurementPhase } from '../../src/domain/measurement.ts';

/** A probe whose answer is set by the test, standing in for the app's behaviour. */
export class ScriptedProbe {
  phase: MeasurementPhase = 'successful';
  calls = 0;
  /** As the runner and the watchdog take it: `runProbe` / `signals`. */
  readonly runProbe = (spec: Probe) => this.run(spec);
  readonly signals = () => ({ runProbe: this.runProbe });

  async run(spec: Probe): Promise<Measurement> {
    this.calls += 1;
    return { check: spec.name, phase: this.phase, at: Date.now(), durationMs: 1, detail: this.phase === 'successful' ? '200 in 1ms' : '503 (expected 200)' };
  }
}
