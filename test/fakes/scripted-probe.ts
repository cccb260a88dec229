import type { HttpProbe } from '../../src/config/schema.ts';
import type { Measurement, MeasurementPhase, Provider } from '../../src/signals/types.ts';

/** A probe provider whose answer per image is set by the test, standing in for the app's behaviour. */
export class ScriptedProbe implements Provider<HttpProbe> {
  readonly type = 'http';
  phase: MeasurementPhase = 'successful';
  calls = 0;

  async run(spec: HttpProbe): Promise<Measurement> {
    this.calls += 1;
    return { check: spec.name, phase: this.phase, at: Date.now(), durationMs: 1, detail: this.phase === 'successful' ? '200 in 1ms' : '503 (expected 200)' };
  }
}
