/**
 * Injected fake-fly failures, consumed in order: each matching invocation takes one use of the
 * oldest fault for its command. Kept apart from I/O so the consumption rule is testable alone.
 */
import type { Fault, FaultCommand, FaultMode } from './sim-types.ts';

export class FaultQueue {
  #faults: Fault[] = [];

  add(command: FaultCommand, mode: FaultMode, times = 1): void {
    if (!Number.isInteger(times) || times < 1) throw new RangeError(`fault times must be a positive integer, got ${times}`);
    this.#faults.push({ command, mode, times });
  }

  /** The mode to apply to this invocation of `command`, if a fault is pending for it. */
  take(command: string): FaultMode | undefined {
    const index = this.#faults.findIndex((f) => f.command === command);
    const fault = this.#faults[index];
    if (!fault) return undefined;
    if (fault.times <= 1) this.#faults.splice(index, 1);
    else this.#faults[index] = { ...fault, times: fault.times - 1 };
    return fault.mode;
  }

  pending(): Fault[] {
    return this.#faults.map((f) => ({ ...f }));
  }

  clear(): void {
    this.#faults = [];
  }
}
