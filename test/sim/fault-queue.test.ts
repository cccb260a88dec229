import { describe, expect, it } from 'vitest';
import { FaultQueue } from '../../src/sim/fault-queue.ts';

describe('FaultQueue', () => {
  it('applies a fault to the next N matching invocations only', () => {
    const q = new FaultQueue();
    q.add('releases', 'garbage', 2);
    expect(q.take('status')).toBeUndefined();
    expect(q.take('releases')).toBe('garbage');
    expect(q.pending()).toEqual([{ command: 'releases', mode: 'garbage', times: 1 }]);
    expect(q.take('releases')).toBe('garbage');
    expect(q.take('releases')).toBeUndefined();
  });

  it('consumes faults for the same command oldest first', () => {
    const q = new FaultQueue();
    q.add('deploy', 'exit1');
    q.add('deploy', 'hang');
    expect([q.take('deploy'), q.take('deploy'), q.take('deploy')]).toEqual(['exit1', 'hang', undefined]);
  });

  it('rejects a non-positive count and can be cleared', () => {
    const q = new FaultQueue();
    expect(() => q.add('logs', 'exit1', 0)).toThrow(RangeError);
    q.add('logs', 'exit1', 3);
    q.clear();
    expect(q.take('logs')).toBeUndefined();
  });
});
